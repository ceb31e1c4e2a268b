import type { z } from 'zod';
import { paramMeta } from './params.ts';
import type { Pipeline } from './pipeline.ts';

/** A value as it would be typed on the command line. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/**
 * The resolved configuration of a run, one line per parameter, marking which were given: what
 * `describe` prints and `run` prints before starting, so every run says what it will do.
 */
export function describeRun(
  pipeline: Pipeline,
  file: string,
  params: Record<string, unknown>,
  given: ReadonlySet<string>,
  runDir: string,
  fromPreset: ReadonlySet<string> = new Set(),
): string[] {
  const how = (key: string): string => (fromPreset.has(key) ? 'preset' : given.has(key) ? 'given' : 'default');
  const rows: [string, string, string][] = Object.keys(pipeline.params.shape).map((key) => [key, formatValue(params[key]), how(key)]);
  rows.push(['out', runDir, given.has('out') ? 'given' : 'default']);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.min(48, Math.max(...rows.map((r) => r[1].length)));
  return [`${pipeline.name} (${file}): ${pipeline.description}`, ...rows.map(([k, v, how]) => `  ${k.padEnd(w0)}  ${v.padEnd(w1)}  ${how}`)];
}

/** A pipeline's parameters with their defaults, allowed values and help: what `list` prints. */
export function describeParams(pipeline: Pipeline): string[] {
  const rows = Object.entries(pipeline.params.shape).map(([key, schema]) => {
    const meta = paramMeta.get(schema as z.ZodType);
    const value = meta?.defaultText === null ? '' : `=${meta?.defaultText ?? '?'}`;
    return [`${key}${value}`, meta ? `${meta.help} (${meta.expected})` : ''] as const;
  });
  rows.push([`out=runs/${pipeline.name}/`, 'run directory (a path)']);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([left, right]) => `    ${left.padEnd(w)}  ${right}`);
}

/**
 * The lines about resolved values that take work to know (`ParamMeta.details`: a strategy module's
 * primitives and settings), for every parameter that has them.
 *
 * @throws UsageError when a value cannot be loaded (a strategy file that is missing or wrong)
 */
export async function describeDetails(pipeline: Pipeline, params: Record<string, unknown>, cwd: string): Promise<string[]> {
  const lines: string[] = [];
  for (const [key, schema] of Object.entries(pipeline.params.shape)) {
    const details = paramMeta.get(schema as z.ZodType)?.details;
    if (details && params[key] !== undefined) lines.push(...(await details(params[key], cwd)));
  }
  return lines;
}
