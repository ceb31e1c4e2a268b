import { runAugmentTask, type AugmentTask, type AugmentResult } from './augmentTask.ts';

/** Piscina entry: fills the task's shared output buffer; only the small result travels back. */
export default function (task: AugmentTask): Promise<AugmentResult> {
  return runAugmentTask(task);
}
