import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The package's root folder: the nearest folder above this module with a package.json. The same
 * code runs from `src/` (tests, benches) and from `dist/src/` (the built package), so the root
 * is found rather than counted in `../`.
 */
export const packageRoot: string = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`fourier-augmix: no package.json above ${fileURLToPath(import.meta.url)}`);
  }
})();

/** A file shipped with the package (bundled data, frost textures, the native addon's loader). */
export function packageFile(...parts: string[]): string {
  return join(packageRoot, ...parts);
}

/** True when this code runs from its TypeScript sources (through tsx or jest), not from `dist/`. */
export const fromSources: boolean = import.meta.url.endsWith('.ts');

/**
 * Node options that start a worker thread (`'thread'`) or a child process (`'process'`) on the same
 * code as this one. From the sources: tsx, resolved from this package, since a bare `--import tsx`
 * resolves against the working directory. From `dist/`: the parent's own options (a thread
 * inherits them when given none), so a loader the user started Node with, such as
 * `node --import tsx` for their own `.ts` modules, reaches every worker and child as well.
 */
export function ownExecArgv(kind: 'thread' | 'process'): string[] | undefined {
  if (fromSources) return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
  return kind === 'thread' ? undefined : [...process.execArgv];
}

/** The file of one of this package's modules beside `base` (an `import.meta.url`): a worker entry, the CLI. */
export function ownModule(name: string, base: string): URL {
  return new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, base);
}
