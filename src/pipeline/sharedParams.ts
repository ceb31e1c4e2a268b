import { availableParallelism } from 'node:os';
import { BACKEND_CHOICES, BACKEND_NAMES, RUNTIMES } from '../model/choices.ts';
import { param, type Param } from './params.ts';

/**
 * The parameters many pipelines share, each defined here once with its one default and range; a
 * pipeline takes one by name (`workers: shared.workers`). `data` and `seed` take the help line,
 * which says what the value feeds in that pipeline.
 */
const KSTEP_HELP = 'attack only the waves whose kx, ky are multiples of kStep: the whole spectrum, coarsely';

export const shared = {
  backend: param.enum(BACKEND_CHOICES, { default: 'auto', help: `tfjs backend; auto takes the first that loads of ${BACKEND_NAMES.join(', ')}` }),
  runtime: param.enum(RUNTIMES, {
    default: 'auto',
    help: 'what runs a checkpoint: auto = onnxruntime-node when installed and tfjs is on the CPU, else tfjs (ONNX models always run on onnxruntime-node)',
  }),
  workers: param.int({ default: availableParallelism(), min: 0, max: 256, help: 'augmentation worker threads (0 = in-process)' }),
  // The environment variable is the documented way to set this default for every run at once.
  threads: param.int({
    default: Number(process.env.FA_NATIVE_THREADS) || availableParallelism(),
    min: 1,
    max: 1024,
    help: 'compute threads of the native backend and onnxruntime (default: FA_NATIVE_THREADS, else the cores)',
  }),
  // Bounded so that a typo cannot build a model that exhausts memory (WRN-100-16 is beyond any
  // model of the papers this follows; WRN-28-10 and WRN-40-2 are the common ones).
  depth: (def: number, help: string): Param<number> => param.int({ default: def, min: 10, max: 100, help: `${help}; 6n+4` }),
  widen: (def: number, help: string): Param<number> => param.int({ default: def, min: 1, max: 16, help }),
  /** The Fourier attack's wave sampling: every wave unless given (the paper). */
  kStep: param.optionalInt({ min: 1, help: `${KSTEP_HELP} (default: every wave, as the paper)` }),
  /** The same, for a pipeline sized for speed that samples coarsely by default. */
  kStepFrom: (def: number): Param<number> => param.int({ default: def, min: 1, help: `${KSTEP_HELP} (1: every wave)` }),
  data: (help: string): Param<string> => param.string({ default: 'data/cifar10-mini', help }),
  /** For image folders: resize (shorter side) and centre-crop; without it, images load at their own size. */
  size: param.size({
    min: 8,
    max: 1024,
    help: 'image folders: resize the shorter side and centre-crop to H or HxW (Lanczos-3); default: images as they are (all one size)',
  }),
  skipBad: param.boolean({ default: false, help: 'image folders: skip images that cannot be decoded (and say how many) instead of failing' }),
  seed: (help: string): Param<number> => param.int({ default: 0, min: 0, help }),
};
