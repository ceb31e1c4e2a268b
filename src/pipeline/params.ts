import { z } from 'zod';
import { strategies } from '../ops/strategy.ts';
import { isStrategyModule, loadStrategies, loadStrategy } from '../streams/loadStrategy.ts';
import { describeStrategy } from './describeStrategy.ts';
import { UsageError } from './usageError.ts';

// Re-exported so a pipeline file outside this package can build its schema without its own zod.
export { z };

/** What `list`, `describe` and error messages know about a parameter beyond its zod schema. */
export interface ParamMeta {
  readonly help: string;
  /** What a valid value looks like, completing "expected ...": e.g. `an integer >= 1`. */
  readonly expected: string;
  /** Shown by `list`: the default as typed on a command line, or null when there is none. */
  readonly defaultText: string | null;
  /**
   * Lines `describe` and `run` print about a resolved value that need work to know (loading the
   * strategy a path names). Throwing here stops the run before anything starts.
   */
  readonly details?: (value: unknown, cwd: string) => Promise<string[]>;
  /** The allowed words of an enum or list parameter, for "did you mean" on a typo. */
  readonly choices?: readonly string[];
}

/** Metadata of every parameter built with `param`, keyed by its schema. */
export const paramMeta = z.registry<ParamMeta>();

/** A parameter schema: accepts a command-line string or an already typed value. */
export type Param<T> = z.ZodType<T, unknown>;

interface Common<T> {
  /** Omit for an optional parameter (its value is then `undefined`). */
  readonly default?: T;
  readonly help: string;
}

interface Range {
  readonly min?: number;
  readonly max?: number;
}

/**
 * Wraps `inner` so strings from `key=value` are converted by `coerce` first (values already of
 * the right type pass through), then attaches the default and the metadata.
 */
function build<T>(
  coerce: (s: string) => unknown,
  inner: z.ZodType<T>,
  o: Common<T>,
  expected: string,
  show: (v: T) => string,
  extra: Pick<ParamMeta, 'details' | 'choices'> = {},
): Param<T> {
  // zod returns a default without validating it, so a bad one is caught here, where it is written.
  if (o.default !== undefined && !inner.safeParse(o.default).success) throw new RangeError(`param default ${show(o.default)} is invalid: expected ${expected}`);
  const pre = z.preprocess((v) => (typeof v === 'string' ? coerce(v.trim()) : v), inner);
  const schema = (o.default === undefined ? pre.optional() : pre.default(o.default as never)) as unknown as Param<T>;
  paramMeta.add(schema, { help: o.help, expected, defaultText: o.default === undefined ? null : show(o.default), ...extra });
  return schema;
}

function rangeText(kind: string, { min, max }: Range): string {
  if (min !== undefined && max !== undefined) return `${kind} in [${min}, ${max}]`;
  if (min !== undefined) return `${kind} >= ${min}`;
  return max !== undefined ? `${kind} <= ${max}` : kind;
}

function ranged(n: z.ZodNumber, { min, max }: Range): z.ZodNumber {
  const lo = min === undefined ? n : n.min(min);
  return max === undefined ? lo : lo.max(max);
}

// Leaves unparseable text as a string so zod reports a type error instead of NaN slipping through.
const toNumber = (s: string): unknown => (s !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
const toBoolean = (s: string): unknown => ({ true: true, '1': true, false: false, '0': false })[s.toLowerCase()] ?? s;

/** Finds `s` among `choices` ignoring case, so `strategies=augsvf` means `AugSVF`. */
const canonical = (choices: readonly string[], s: string): string => choices.find((c) => c.toLowerCase() === s.toLowerCase()) ?? s;

/** Builders for typed, coercing pipeline parameters (see `definePipeline`). */
export const param = {
  int(o: Common<number> & Range): Param<number> {
    return build(toNumber, ranged(z.number().int(), o), o, rangeText('an integer', o), String);
  },
  /** Like `int` but with no default: `undefined` unless given. */
  optionalInt(o: Omit<Common<number>, 'default'> & Range): Param<number | undefined> {
    return build(toNumber, ranged(z.number().int(), o), o, rangeText('an integer', o), String) as Param<number | undefined>;
  },
  number(o: Common<number> & Range): Param<number> {
    return build(toNumber, ranged(z.number(), o), o, rangeText('a number', o), String);
  },
  string(o: Common<string>): Param<string> {
    return build(
      (s) => s,
      z.string().min(1),
      o,
      'a non-empty string',
      (v) => v,
    );
  },
  /** Accepts true/false/1/0 (any case); `Boolean('0')` would be true, so no truthiness here. */
  boolean(o: Common<boolean>): Param<boolean> {
    return build(toBoolean, z.boolean(), o, 'true, false, 1 or 0', String);
  },
  enum<const C extends readonly [string, ...string[]]>(choices: C, o: Common<C[number]>): Param<C[number]> {
    return build((s) => canonical(choices, s), z.enum(choices), o, `one of ${choices.join(', ')}`, String, { choices }) as Param<C[number]>;
  },
  /** A comma-separated list of distinct integers, e.g. `seeds=0,1,2,3`. */
  /** An image size `H` (square) or `HxW`, each side in [min, max]; typed as `{ height, width }`. */
  size(o: Common<{ height: number; width: number }> & Range): Param<{ height: number; width: number }> {
    const parse = (s: string): unknown => {
      const m = /^(\d+)(?:[x×](\d+))?$/i.exec(s);
      return m ? { height: Number(m[1]), width: Number(m[2] ?? m[1]) } : s;
    };
    const side = ranged(z.number().int(), o);
    const inner = z.object({ height: side, width: side });
    return build(parse, inner, o, `H or HxW in pixels, each an ${rangeText('integer', o)}`, (v) =>
      v.height === v.width ? `${v.height}` : `${v.height}x${v.width}`,
    );
  },

  intList(o: Common<readonly number[]> & Range): Param<number[]> {
    const split = (s: string): unknown[] =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '')
        .map(toNumber);
    const inner = z
      .array(ranged(z.number().int(), o))
      .min(1)
      .refine((xs) => new Set(xs).size === xs.length);
    return build(split, inner, o as Common<number[]>, `a comma-separated list of distinct ${rangeText('integers', o)}`, (v) => v.join(','));
  },
  /** A comma-separated list; with `choices`, each item must be one of them (any case). */
  list(o: Common<readonly string[]> & { readonly choices?: readonly string[] }): Param<string[]> {
    const { choices } = o;
    const item = choices ? z.string().refine((s) => choices.includes(s)) : z.string();
    const split = (s: string): string[] =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '')
        .map((x) => (choices ? canonical(choices, x) : x));
    const expected = choices ? `a comma-separated list of ${choices.join(', ')}` : 'a comma-separated list';
    return build(split, z.array(item).min(1), o as Common<string[]>, expected, (v) => v.join(','), choices ? { choices } : {});
  },
  /**
   * A strategy: a built-in name (any case) or a path to a module whose default export is a
   * strategy. The module is loaded and checked by `describe`, by `run` before anything starts, and
   * by the pipeline (`loadStrategy`).
   */
  strategy(o: Common<string>): Param<string> {
    const details = async (v: unknown, cwd: string): Promise<string[]> => describeStrategy(await asUsage(loadStrategy(String(v), cwd)));
    return build((s) => strategyValue(s), strategyItem, o, strategyExpected, String, { details, choices: builtinStrategies });
  },
  /** A comma-separated list of distinct strategies (built-in names or module paths), e.g. `strategies=Base,./mine.mjs`. */
  strategies(o: Common<readonly string[]>): Param<string[]> {
    const split = (s: string): string[] =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '')
        .map(strategyValue);
    const details = async (v: unknown, cwd: string): Promise<string[]> => (await asUsage(loadStrategies(v as string[], cwd))).flatMap(describeStrategy);
    const inner = z
      .array(strategyItem)
      .min(1)
      .refine((xs) => new Set(xs).size === xs.length);
    return build(split, inner, o as Common<string[]>, `a comma-separated list of distinct strategies: ${strategyExpected}`, (v) => v.join(','), {
      details,
      choices: builtinStrategies,
    });
  },
};

const builtinStrategies = Object.keys(strategies);
const strategyExpected = `one of ${builtinStrategies.join(', ')}, or a path to a strategy module (.js, .mjs; .ts with a TypeScript loader)`;
const strategyValue = (s: string): string => (isStrategyModule(s) ? s : canonical(builtinStrategies, s));
const strategyItem = z.string().refine((s) => isStrategyModule(s) || builtinStrategies.includes(s));

/** A strategy's loading errors as usage errors: a bad `strategy=` value is the user's to fix. */
async function asUsage<T>(loading: Promise<T>): Promise<T> {
  try {
    return await loading;
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message, { cause: err });
  }
}
