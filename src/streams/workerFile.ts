import { ownExecArgv, ownModule } from '../packageFiles.ts';

/** Where the Piscina worker entry `<name>` beside this module lives, and the options to start it with. */
export function workerFile(name: string): { filename: string; execArgv: string[] | undefined } {
  return { filename: ownModule(name, import.meta.url).href, execArgv: ownExecArgv('thread') };
}
