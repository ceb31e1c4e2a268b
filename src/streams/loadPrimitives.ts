import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinPrimitives } from '../ops/augmentations.ts';
import type { Primitive } from '../ops/primitive.ts';
import type { PrimitiveModule, Strategy } from '../ops/strategy.ts';

/**
 * The primitives a strategy can use: the built-ins plus its user modules, imported by URL so the
 * same strategy resolves identically in every worker thread. Memoised per strategy.
 */
const cache = new Map<string, Promise<Map<string, Primitive>>>();

export function loadPrimitives(strategy: Strategy): Promise<Map<string, Primitive>> {
  const key = JSON.stringify([strategy.fourier, strategy.modules]);
  let found = cache.get(key);
  if (!found) {
    found = build(strategy);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}

async function build(strategy: Strategy): Promise<Map<string, Primitive>> {
  const registry = builtinPrimitives(strategy.fourier);
  for (const spec of strategy.modules) {
    const mod = await importModule(moduleUrl(spec.module));
    const p = mod[spec.export];
    if (!isPrimitive(p)) {
      throw new TypeError(`${spec.module}: export '${spec.export}' is not a primitive ({ name, sample(rng, severity, shape), apply(src, dst, param) })`);
    }
    registry.set(p.name, p);
  }
  return registry;
}

/**
 * Imports a user module. Piscina loads worker files through `require`, so in a worker only tsx's
 * CommonJS hook is active and a plain `import()` of a .ts file fails: fall back to tsx's API there.
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

/** Absolute file URL for a path (relative to the working directory) or URL, so workers agree. */
export function moduleUrl(specifier: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !/^[a-z]:[\\/]/i.test(specifier)) return specifier;
  return pathToFileURL(isAbsolute(specifier) ? specifier : resolve(specifier)).href;
}

/** A strategy whose user-module specifiers are absolute URLs, safe to hand to workers. */
export function withResolvedModules(strategy: Strategy): Strategy {
  const modules: PrimitiveModule[] = strategy.modules.map((m) => ({ module: moduleUrl(m.module), export: m.export }));
  return { ...strategy, modules };
}

function isPrimitive(p: unknown): p is Primitive {
  const q = p as Primitive | undefined;
  return !!q && typeof q.name === 'string' && typeof q.sample === 'function' && typeof q.apply === 'function';
}
