import { builtinPrimitives } from '../ops/augmentations.ts';
import type { Primitive } from '../ops/primitive.ts';
import type { Strategy } from '../ops/strategy.ts';
import { importUserModule } from '../importUserModule.ts';

/**
 * The primitives a strategy can use: the built-ins plus its user modules, imported by URL so the
 * same strategy resolves identically in every worker thread. Memoised per strategy. The modules'
 * specifiers must already be URLs (`resolveModules`).
 *
 * @throws Error naming the module and export for a module that cannot be imported, a missing
 *   export, or an export that is not a primitive
 */
const cache = new Map<string, Promise<Map<string, Primitive>>>();

export function loadPrimitives(strategy: Strategy): Promise<Map<string, Primitive>> {
  const key = JSON.stringify([strategy.fourier, strategy.modules.map((m) => [m.module, m.export])]);
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
    let mod: Record<string, unknown>;
    try {
      mod = await importUserModule(spec.module);
    } catch (err) {
      throw new Error(`strategy '${strategy.name}': primitive module ${spec.module} failed to load: ${(err as Error)?.message ?? err}`, { cause: err });
    }
    if (!(spec.export in mod)) {
      const names = Object.keys(mod).filter((k) => k !== 'default');
      throw new TypeError(`strategy '${strategy.name}': ${spec.module} has no export '${spec.export}'; it exports: ${names.join(', ') || '(nothing)'}`);
    }
    const p = mod[spec.export];
    if (!isPrimitive(p)) {
      throw new TypeError(`${spec.module}: export '${spec.export}' is not a primitive ({ name, sample(rng, severity, shape), apply(src, dst, param) })`);
    }
    registry.set(p.name, p);
  }
  return registry;
}

function isPrimitive(p: unknown): p is Primitive {
  const q = p as Primitive | undefined;
  return !!q && typeof q.name === 'string' && typeof q.sample === 'function' && typeof q.apply === 'function';
}
