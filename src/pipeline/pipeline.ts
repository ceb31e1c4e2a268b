import type { Observable } from 'rxjs';
import type { z } from 'zod';
import type { PipelineEvent } from './events.ts';

/** What a pipeline's `run` gets besides its parameters. */
export interface PipelineContext {
  /** Where the run writes its files (created before `run` is called). */
  readonly runDir: string;
  /** The directory relative paths in parameters are resolved against. */
  readonly cwd: string;
  /** Aborted when the user interrupts; long awaits outside the stream should check it. */
  readonly signal?: AbortSignal;
}

/** A pipeline's parameter schema: an object of `param.*` fields. */
export type ParamSchema = z.ZodObject;

/** A named set of parameter values for a pipeline, runnable by its own name (e.g. `train-augsvf-cifar10`). */
export interface Preset {
  /** One line, shown by `list`. */
  readonly description: string;
  /** Values applied before the user's overrides, which win. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** A runnable, self-describing unit of work: what a file in `pipelines/` exports by default. */
export interface Pipeline<S extends ParamSchema = ParamSchema> {
  /** Also the default run directory: `runs/<name>/`. */
  readonly name: string;
  /** One line, shown by `list`. */
  readonly description: string;
  readonly params: S;
  /**
   * A cold Observable of events: nothing runs until it is subscribed, and unsubscribing stops the
   * work (worker pools included).
   */
  run(params: z.output<S>, ctx: PipelineContext): Observable<PipelineEvent>;
  /**
   * Named parameter sets. A preset's name must start with `<pipeline name>-` so the CLI finds it
   * from the name alone (`train-augsvf-cifar10` is looked up in `pipelines/train.ts`).
   */
  readonly presets?: Readonly<Record<string, Preset>>;
  /**
   * Several runs may write into one folder at once, each locking what it writes itself (the shards
   * of a Fourier grid, each with its own cells file); otherwise a run holds its whole folder. A
   * function decides from the run's parameters.
   */
  readonly sharedFolder?: boolean | ((params: z.output<S>) => boolean);
  /**
   * What a run with these parameters would do, as lines, without doing any of it
   * (`fourier-augmix describe <pipeline> --plan`), e.g. the tasks of each stage of a study.
   */
  plan?(params: z.output<S>, ctx: PipelineContext): Promise<string[]>;
}

const brand = Symbol.for('fourier-augmix.pipeline');

/**
 * Declares a pipeline. `params` is a `z.object` of `param.*` builders, so `key=value` strings from
 * the command line coerce to typed values and errors can name the key and the allowed values.
 * Every pipeline also accepts `out=<dir>` (the run directory, default `runs/<name>/`).
 *
 * @throws Error when `name` is not a simple file-name-like word, or a parameter is called `out`
 */
export function definePipeline<S extends ParamSchema>(def: Pipeline<S>): Pipeline<S> {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(def.name)) throw new Error(`definePipeline: name '${def.name}' must be letters, digits, '-' or '_'`);
  if ('out' in def.params.shape) throw new Error(`definePipeline(${def.name}): 'out' is reserved for the run directory`);
  for (const [name, preset] of Object.entries(def.presets ?? {})) {
    if (!name.startsWith(`${def.name}-`) || !/^[a-z0-9][a-z0-9_-]*$/i.test(name))
      throw new Error(`definePipeline(${def.name}): preset '${name}' must be named '${def.name}-…' (letters, digits, '-' or '_')`);
    const unknown = Object.keys(preset.params).filter((k) => !(k in def.params.shape));
    if (unknown.length > 0) throw new Error(`definePipeline(${def.name}): preset '${name}' sets unknown parameter(s) ${unknown.join(', ')}`);
  }
  // A registry-wide symbol rather than instanceof: a user's file may load its own copy of this module.
  return Object.freeze({ ...def, [brand]: true });
}

/** True for values made by `definePipeline` (in any copy of this module). */
export function isPipeline(value: unknown): value is Pipeline {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
