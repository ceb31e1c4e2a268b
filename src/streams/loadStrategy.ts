import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importUserModule } from '../importUserModule.ts';
import { InputError } from '../inputError.ts';
import { defineStrategy, strategyByName, unknownPrimitive, type PrimitiveModule, type Strategy, type StrategySpec } from '../ops/strategy.ts';
import { loadPrimitives } from './loadPrimitives.ts';

const SCRIPT = /\.[cm]?[jt]s$/;

/** True when a `strategy=` value names a module (a path or URL) rather than a built-in strategy. */
export function isStrategyModule(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || SCRIPT.test(spec) || spec.startsWith('file:');
}

/**
 * The URL of a primitive module `specifier` used by a strategy whose relative paths start from the
 * folder URL `base`: URLs pass through, absolute paths become file URLs, `./x` and `../x` resolve
 * against `base`, and anything else is a package name resolved from `base` (or, if no package has
 * that name, a path such as `lib/invert.mjs` relative to `base`).
 */
export function moduleUrl(specifier: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier;
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  if (/^\.\.?[\\/]/.test(specifier)) return new URL(specifier, base).href;
  try {
    return pathToFileURL(createRequire(new URL('package.json', base)).resolve(specifier)).href;
  } catch (err) {
    const asPath = new URL(specifier, base);
    if (existsSync(asPath)) return asPath.href;
    throw new Error(`primitive module '${specifier}': no such package or file from ${fileURLToPath(base)}`, { cause: err });
  }
}

/** The folder URL (with a trailing slash) that relative module paths start from. */
function folderUrl(dir: string): string {
  return pathToFileURL(dir.endsWith('/') ? dir : `${dir}/`).href;
}

/**
 * Checks a strategy before any work starts and returns it ready for workers: its primitive
 * modules resolved to URLs (relative ones against `cwd`; `loadStrategy` resolves a strategy
 * file's own against that file), imported, each op name found among the built-ins and the
 * modules' primitives, and each module's source hashed, so results and checkpoints record exactly
 * which code made them.
 *
 * @throws Error naming the strategy and the module, export or op that is wrong
 */
export async function checkStrategy(strategy: Strategy, cwd: string = process.cwd()): Promise<Strategy> {
  const base = folderUrl(cwd);
  const modules: PrimitiveModule[] = [];
  for (const m of strategy.modules) {
    let url: string;
    try {
      url = moduleUrl(m.module, base);
    } catch (err) {
      throw new Error(`strategy '${strategy.name}': ${(err as Error).message}`, { cause: err });
    }
    if (url.startsWith('file:') && !existsSync(new URL(url))) throw new Error(`strategy '${strategy.name}': primitive module ${fileURLToPath(url)} not found`);
    modules.push({ module: url, export: m.export, sha256: m.sha256 ?? (await sourceHash(url)) });
  }
  const checked: Strategy = { ...strategy, modules };
  const registry = await loadPrimitives(checked);
  const unknown = checked.ops.find((op) => !registry.has(op));
  if (unknown !== undefined) throw new RangeError(unknownPrimitive(checked.name, unknown, [...registry.keys()]));
  return checked;
}

/** SHA-256 of a file module's source; undefined for modules that are not files (`node:`, `data:`). */
async function sourceHash(url: string): Promise<string | undefined> {
  if (!url.startsWith('file:')) return undefined;
  return createHash('sha256')
    .update(await readFile(new URL(url)))
    .digest('hex');
}

/**
 * A `strategy=` value as a checked strategy: a built-in name (any case), or a module path (against
 * `cwd`, default the working directory) or `file:` URL whose default export is a strategy (`export default defineStrategy({...})`
 * or the same plain object). A module's relative primitive paths resolve against the module.
 *
 * @throws Error naming the file and what is wrong: not found, failed to import, no strategy export,
 *   invalid settings, unknown primitives
 */
export async function loadStrategy(spec: string, cwd: string = process.cwd()): Promise<Strategy> {
  if (!isStrategyModule(spec)) return checkStrategy(strategyByName(spec), cwd);
  const url = spec.startsWith('file:') ? spec : pathToFileURL(resolve(cwd, spec)).href;
  const file = fileURLToPath(url);
  if (!existsSync(file)) throw new Error(`strategy=${spec}: ${file} not found`);
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(url);
  } catch (err) {
    throw new Error(`strategy=${spec}: ${file} failed to load: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  const value = mod.default as Partial<Strategy> | undefined;
  if (!value || typeof value !== 'object' || typeof value.name !== 'string' || !Array.isArray(value.ops)) {
    throw new TypeError(`strategy=${spec}: ${file} has no strategy as its default export; expected \`export default defineStrategy({ name, ops, ... })\``);
  }
  let strategy: Strategy;
  try {
    // Again through defineStrategy: a plain object gets the defaults, and every setting is checked.
    strategy = defineStrategy(value as StrategySpec);
  } catch (err) {
    throw new Error(`strategy=${spec}: ${(err as Error).message}`, { cause: err });
  }
  const checked = await checkStrategy(strategy, fileURLToPath(new URL('.', url)));
  return { ...checked, source: { url, sha256: (await sourceHash(url))! } };
}

/**
 * Several `strategy=` values (see `loadStrategy`), which must have distinct names: a strategy's
 * name names its run folder and its column in the report.
 *
 * @throws InputError naming the repeated name; `loadStrategy`'s errors otherwise
 */
export async function loadStrategies(specs: readonly string[], cwd: string = process.cwd()): Promise<Strategy[]> {
  const loaded = await Promise.all(specs.map((s) => loadStrategy(s, cwd)));
  const names = loaded.map((s) => s.name.toLowerCase());
  const twice = loaded.find((s, i) => names.indexOf(s.name.toLowerCase()) !== i);
  if (twice) throw new InputError(`strategies: two strategies are named '${twice.name}' (each names its run folder)`);
  return loaded;
}

/**
 * What identifies a strategy in checkpoints and results: every setting, and for custom code the
 * file names and SHA-256 of the sources, not their paths, so a moved project still resumes while a
 * changed primitive or strategy file is a changed setting.
 */
export function strategyDefinition(strategy: Strategy): Record<string, unknown> {
  const name = (url: string): string => (url.startsWith('file:') ? basename(fileURLToPath(url)) : url);
  // Key order kept: checkpoints compare this as JSON, and built-in strategies must match older ones.
  return Object.fromEntries(
    Object.entries(strategy).map(([key, value]) => {
      if (key === 'modules')
        return [key, strategy.modules.map((m) => ({ module: name(m.module), export: m.export, ...(m.sha256 ? { sha256: m.sha256 } : {}) }))];
      if (key === 'source') return [key, { file: name(strategy.source!.url), sha256: strategy.source!.sha256 }];
      return [key, value];
    }),
  );
}
