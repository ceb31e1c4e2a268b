import { move, transferableSymbol, valueSymbol } from 'piscina';
import { runAugmentTask, type AugmentTask } from './augmentTask.ts';

/** Piscina entry: runs the task and moves the output buffer back instead of copying it. */
export default async function (task: AugmentTask): Promise<unknown> {
  const result = await runAugmentTask(task);
  return move({ [transferableSymbol]: [result.out], [valueSymbol]: result } as never);
}
