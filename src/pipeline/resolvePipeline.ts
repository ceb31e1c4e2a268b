import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importUserModule } from '../importUserModule.ts';
import { fromSources } from '../packageFiles.ts';
import { definePipeline, isPipeline, type Pipeline } from './pipeline.ts';
import { didYouMean } from '../ops/nearest.ts';
import { UsageError } from './usageError.ts';

/** The built-in pipelines: `pipelines/*.ts` beside the sources, `dist/pipelines/*.js` in the built package. */
const builtinDir = fileURLToPath(new URL('../../pipelines/', import.meta.url));
const ext = fromSources ? '.ts' : '.js';

/** A loaded pipeline and how to name its file in messages. */
export interface LoadedPipeline {
  readonly pipeline: Pipeline;
  /** Absolute path of the module. */
  readonly path: string;
  /** `pipelines/<name>.ts` for built-ins, else the path relative to the working directory. */
  readonly file: string;
  /** Set when `spec` named a preset: its name and values (applied before the user's overrides). */
  readonly preset?: { readonly name: string; readonly params: Readonly<Record<string, unknown>> };
}

/**
 * tsx compiles a `.ts` file outside a `"type": "module"` package as CommonJS, which cannot load this
 * package's ES modules; the resulting error ("Cannot require() ES Module ... in a cycle") does not
 * say that, so say it here.
 */
function esmHint(path: string): string {
  if (!path.endsWith('.ts')) return '';
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const type = (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type;
      return type === 'module' ? '' : ` (pipeline files are ES modules: add "type": "module" to ${pkg}, or rename the file to .mts)`;
    }
    if (dirname(dir) === dir) return ' (pipeline files are ES modules: add a package.json with "type": "module" beside it, or rename it to .mts)';
  }
}

/** A path when it has a folder separator or a script extension; otherwise a built-in's name. */
export function isPipelinePath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || /\.[cm]?[jt]s$/.test(spec);
}

/** Names of the built-in pipelines, sorted. */
export async function builtinPipelines(): Promise<string[]> {
  const files = await readdir(builtinDir).catch(() => [] as string[]);
  return files
    .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -ext.length))
    .sort();
}

/**
 * Loads a pipeline by built-in name (`preview`) or by path to a module (`./my-pipeline.ts`,
 * resolved against `cwd`) whose default export is a `definePipeline(...)` value.
 *
 * @throws UsageError for an unknown name (listing the built-ins), a missing file, a module that
 *   fails to load, or one that does not export a pipeline
 */
export async function loadPipeline(spec: string, cwd: string): Promise<LoadedPipeline> {
  let path: string;
  let file: string;
  if (isPipelinePath(spec)) {
    path = resolve(cwd, spec);
    const rel = relative(cwd, path);
    file = rel.startsWith('..') || isAbsolute(rel) ? path : rel;
    if (!existsSync(path)) throw new UsageError(`${file}: pipeline file not found`);
  } else {
    path = join(builtinDir, `${spec}${ext}`);
    file = `pipelines/${spec}${ext}`;
    if (!existsSync(path)) {
      const preset = await findPreset(spec, cwd);
      if (preset) return preset;
      const known = await builtinPipelines();
      throw new UsageError(
        `unknown pipeline '${spec}'${didYouMean(spec, known)}; available: ${known.join(', ') || '(none)'} (and their presets, see \`list\`), or give a path to a pipeline module`,
      );
    }
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(pathToFileURL(path).href);
  } catch (err) {
    throw new UsageError(`${file}: failed to load: ${err instanceof Error ? err.message : String(err)}${esmHint(path)}`, { cause: err });
  }
  const pipeline = mod.default;
  if (!isPipeline(pipeline)) {
    throw new UsageError(`${file}: does not export a pipeline; expected \`export default definePipeline({ name, description, params, run })\``);
  }
  return { pipeline, path, file };
}

/**
 * A preset of a built-in pipeline: `train-augsvf-cifar10` is looked up in `pipelines/train.ts`
 * (then `pipelines/train-augsvf.ts`, …: the longest name that is a file wins).
 */
async function findPreset(spec: string, cwd: string): Promise<LoadedPipeline | null> {
  const parts = spec.split('-');
  for (let n = parts.length - 1; n >= 1; n--) {
    const base = parts.slice(0, n).join('-');
    if (!existsSync(join(builtinDir, `${base}${ext}`))) continue;
    const loaded = await loadPipeline(base, cwd);
    const preset = loaded.pipeline.presets?.[spec];
    if (!preset) return null;
    const pipeline = definePipeline({ ...loaded.pipeline, name: spec, description: preset.description, presets: {} });
    return { ...loaded, pipeline, preset: { name: spec, params: preset.params } };
  }
  return null;
}
