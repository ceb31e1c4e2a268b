/**
 * Where a Piscina worker entry `<name>.ts|js` beside this module lives, and how to start it: from
 * TypeScript sources the workers load it through tsx (jest's workers do not inherit the parent's
 * loader, so it is passed explicitly).
 */
export function workerFile(name: string): { filename: string; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const filename = new URL(`./${name}.${ts ? 'ts' : 'js'}`, import.meta.url).href;
  return { filename, execArgv: ts ? ['--import', 'tsx'] : [] };
}
