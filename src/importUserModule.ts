import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

type TsImport = (specifier: string, parent: string) => Promise<unknown>;

/**
 * Imports a user's module (a pipeline file, a strategy, a primitive) by URL. Plain Node cannot
 * import TypeScript, so a `.ts` module that fails for its extension is loaded through tsx's API
 * when tsx can be found: from the module's own project first, then beside this package. Inside a
 * worker thread started with `--import tsx` only tsx's CommonJS hook is active, which the same
 * fallback covers.
 *
 * @throws Error naming the file and the two ways out when it is TypeScript and no tsx is installed
 */
export async function importUserModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const tsImport = await findTsImport(url);
    if (!tsImport) {
      const file = url.startsWith('file:') ? fileURLToPath(url) : url;
      throw new Error(
        `${file}: TypeScript needs tsx: \`npm i -D tsx\` in your project (the CLI and its workers find it there; a script of your own runs with \`node --import tsx\`), or write the module as .mjs`,
        { cause: err },
      );
    }
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

async function findTsImport(url: string): Promise<TsImport | null> {
  for (const from of [url, import.meta.url]) {
    let pkg: string;
    try {
      pkg = createRequire(from).resolve('tsx/package.json');
    } catch {
      continue;
    }
    // The ES module entry of tsx's API (require.resolve would give the CommonJS one).
    const { exports } = JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
    const api = new URL(exports['./esm/api']!.import.default, pathToFileURL(pkg));
    return ((await import(api.href)) as { tsImport: TsImport }).tsImport;
  }
  return null;
}
