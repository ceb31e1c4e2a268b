import { EMPTY } from 'rxjs';
import { parseOverrides, resolveParams } from '../../src/pipeline/overrides.ts';
import { param, z } from '../../src/pipeline/params.ts';
import { definePipeline } from '../../src/pipeline/pipeline.ts';
import { UsageError } from '../../src/pipeline/usageError.ts';

const demo = definePipeline({
  name: 'demo',
  description: 'parameter parsing fixture',
  params: z.object({
    images: param.int({ default: 6, min: 1, help: 'rows' }),
    scale: param.number({ default: 0.5, min: 0, max: 1, help: 'a fraction' }),
    split: param.enum(['train', 'test'], { default: 'test', help: 'split' }),
    record: param.boolean({ default: false, help: 'record' }),
    names: param.list({ default: ['Base'], choices: ['Base', 'AugSVF'], help: 'strategies' }),
    tags: param.list({ default: ['a'], help: 'free list' }),
    label: param.string({ default: 'x', help: 'a label' }),
    limit: param.optionalInt({ min: 1, help: 'optional' }),
  }),
  run: () => EMPTY,
});
const file = 'pipelines/demo.ts';
const resolve = (args: string[]) => resolveParams(demo, parseOverrides(args, file), file);
const failure = (args: string[]): string => {
  try {
    resolve(args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`expected ${args.join(' ')} to be rejected`);
};

describe('key=value overrides', () => {
  it('fills defaults when nothing is given, leaving optional parameters undefined', () => {
    expect(resolve([]).params).toEqual({ images: 6, scale: 0.5, split: 'test', record: false, names: ['Base'], tags: ['a'], label: 'x', limit: undefined });
  });

  it('coerces strings to typed values', () => {
    const { params, given, out } = resolve([
      'images=12',
      'scale=0.25',
      'split=TRAIN',
      'record=1',
      'names=base, augsvf',
      'tags=x,y,,z',
      'label=a=b',
      'limit=3',
      'out=/tmp/x',
    ]);
    expect(params).toEqual({ images: 12, scale: 0.25, split: 'train', record: true, names: ['Base', 'AugSVF'], tags: ['x', 'y', 'z'], label: 'a=b', limit: 3 });
    expect(out).toBe('/tmp/x');
    expect([...given].sort()).toEqual(['images', 'label', 'limit', 'names', 'out', 'record', 'scale', 'split', 'tags']);
  });

  it('reads booleans strictly: 0 and false are false, anything else is an error', () => {
    expect(resolve(['record=0']).params.record).toBe(false);
    expect(resolve(['record=False']).params.record).toBe(false);
    expect(failure(['record=no'])).toBe('pipelines/demo.ts: record=no is invalid: expected true, false, 1 or 0');
  });

  it('accepts typed values from code as well as strings', () => {
    expect(resolveParams(demo, { images: 3, names: ['AugSVF'], record: true }, file).params).toMatchObject({ images: 3, names: ['AugSVF'], record: true });
  });

  it('names the file and the key for an unknown parameter, listing the known ones', () => {
    expect(failure(['foo=1'])).toBe("pipelines/demo.ts: unknown parameter 'foo' (known: images, scale, split, record, names, tags, label, limit, out)");
  });

  it('names the key, the value and what was expected for a bad value', () => {
    expect(failure(['images=abc'])).toBe('pipelines/demo.ts: images=abc is invalid: expected an integer >= 1');
    expect(failure(['images=0'])).toBe('pipelines/demo.ts: images=0 is invalid: expected an integer >= 1');
    expect(failure(['images=1.5'])).toBe('pipelines/demo.ts: images=1.5 is invalid: expected an integer >= 1');
    expect(failure(['scale=2'])).toBe('pipelines/demo.ts: scale=2 is invalid: expected a number in [0, 1]');
    expect(failure(['split=val'])).toBe('pipelines/demo.ts: split=val is invalid: expected one of train, test');
    expect(failure(['names=Base,Foo'])).toBe("pipelines/demo.ts: names=Base,Foo is invalid: expected a comma-separated list of Base, AugSVF ('Foo' is not)");
    expect(failure(['label='])).toBe('pipelines/demo.ts: label= is invalid: expected a non-empty string');
  });

  it('rejects malformed and repeated arguments', () => {
    expect(failure(['images'])).toBe("pipelines/demo.ts: expected key=value, got 'images'");
    expect(failure(['=3'])).toBe("pipelines/demo.ts: expected key=value, got '=3'");
    expect(failure(['images=1', 'images=2'])).toBe('pipelines/demo.ts: images is given twice (images=1 and images=2)');
  });

  it('reserves out for the run directory', () => {
    expect(() =>
      definePipeline({ name: 'bad', description: '', params: z.object({ out: param.string({ default: 'x', help: '' }) }), run: () => EMPTY }),
    ).toThrow("definePipeline(bad): 'out' is reserved for the run directory");
  });
});

describe('param builders', () => {
  it('reject a default outside their own range when the pipeline is defined', () => {
    expect(() => param.int({ default: 0, min: 1, help: '' })).toThrow('param default 0 is invalid: expected an integer >= 1');
    expect(() => param.list({ default: ['Foo'], choices: ['Base'], help: '' })).toThrow(
      'param default Foo is invalid: expected a comma-separated list of Base',
    );
  });
});
