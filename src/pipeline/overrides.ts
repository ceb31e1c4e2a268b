import type { z } from 'zod';
import { paramMeta } from './params.ts';
import type { Pipeline } from './pipeline.ts';
import { didYouMean } from '../ops/nearest.ts';
import { UsageError } from './usageError.ts';

/** A pipeline's parameters after validation, plus the run-directory override. */
export interface ResolvedParams<P> {
  readonly params: P;
  /** `out=` as given, or undefined for the default run directory. */
  readonly out: string | undefined;
  /** The keys that were given rather than defaulted, for `describe`. */
  readonly given: ReadonlySet<string>;
}

/**
 * Splits `key=value` arguments (the value may contain `=`). `file` names the pipeline in errors.
 *
 * @throws UsageError for an argument without `=`, an empty key, or a key given twice
 */
export function parseOverrides(args: readonly string[], file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UsageError(`${file}: expected key=value, got '${arg}'`);
    const key = arg.slice(0, eq);
    if (Object.hasOwn(out, key)) throw new UsageError(`${file}: ${key} is given twice (${key}=${out[key]} and ${arg})`);
    out[key] = arg.slice(eq + 1);
  }
  return out;
}

/**
 * Validates overrides (strings from the command line, or typed values from code) against the
 * pipeline's schema and fills in defaults.
 *
 * @throws UsageError naming `file`, the key and, for a bad value, what was expected, e.g.
 *   `pipelines/preview.ts: images=abc is invalid: expected an integer >= 1`
 */
export function resolveParams<P extends Pipeline>(
  pipeline: P,
  overrides: Readonly<Record<string, unknown>>,
  file: string,
): ResolvedParams<z.output<P['params']>> {
  const { out, ...rest } = overrides;
  const known = Object.keys(pipeline.params.shape);
  for (const key of Object.keys(rest)) {
    if (!known.includes(key))
      throw new UsageError(`${file}: unknown parameter '${key}'${didYouMean(key, [...known, 'out'])} (known: ${[...known, 'out'].join(', ')})`);
  }
  if (out !== undefined && (typeof out !== 'string' || out === '')) throw new UsageError(`${file}: out=${String(out)} is invalid: expected a directory path`);
  return {
    params: validateParams(pipeline.params, rest, file) as z.output<P['params']>,
    out: out as string | undefined,
    given: new Set(Object.keys(overrides)),
  };
}

/**
 * Checks `values` (strings as typed, or typed values from code) against a parameter schema and fills
 * in the defaults: the one check every pipeline, command and child run goes through. `name` shows
 * a key as the user typed it (`key=` for pipelines, `--flag` for commands).
 *
 * @throws UsageError naming `file`, the key, what was expected and the nearest allowed word
 */
export function validateParams<S extends z.ZodObject>(
  schema: S,
  values: Readonly<Record<string, unknown>>,
  file: string,
  name: (key: string) => string = (k) => `${k}=`,
): z.output<S> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const meta = paramMeta.get(schema.shape[key] as z.ZodType);
    const raw = values[key];
    const shown = Array.isArray(raw) ? raw.join(',') : String(raw);
    const at = issue.path[1]; // set for a bad item of a list
    const items =
      typeof raw === 'string'
        ? raw
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
        : Array.isArray(raw)
          ? raw
          : [];
    const word = typeof at === 'number' ? items[at] : raw;
    const bad = typeof at === 'number' && items[at] !== undefined ? ` ('${String(items[at])}' is not)` : '';
    const hint = meta?.choices && typeof word === 'string' ? didYouMean(word, meta.choices) : '';
    // The parameter's own wording, not zod's generic message ("Invalid input: expected number").
    const sep = name(key).endsWith('=') ? '' : ' ';
    throw new UsageError(`${file}: ${name(key)}${sep}${shown} is invalid: ${meta ? `expected ${meta.expected}` : issue.message}${bad}${hint}`);
  }
  return parsed.data;
}
