import { readFileSync } from 'node:fs';
import { confidenceAndCorrect, errorRate, rmsCalibrationError } from '../../src/ops/metrics.ts';

// Made by test/fixtures/make_metric_fixtures.py (numpy restatement of Hendrycks' calib_err).
const fixture = JSON.parse(readFileSync(new URL('../fixtures/metrics/calibration.json', import.meta.url), 'utf8')) as {
  cases: { n: number; binSize: number; confidence: number[]; correct: number[]; reference: number; allBins: number }[];
};

describe('rmsCalibrationError', () => {
  it.each(fixture.cases.map((c) => [c.n, c.binSize, c] as const))('matches numpy for %i samples in bins of %i, both variants', (_n, _b, c) => {
    expect(rmsCalibrationError(c.confidence, c.correct, { binSize: c.binSize })).toBeCloseTo(c.allBins, 12);
    expect(rmsCalibrationError(c.confidence, c.correct, { binSize: c.binSize, variant: 'reference' })).toBeCloseTo(c.reference, 12);
  });

  it('is 0 for a perfectly calibrated model and the gap for a constant one', () => {
    // Bins of 4: confidence 0.25 and 1 in 4 correct in each → perfectly calibrated.
    const conf = new Array(400).fill(0.25);
    const corr = conf.map((_, i) => (i % 4 === 0 ? 1 : 0));
    expect(rmsCalibrationError(conf, corr, { binSize: 4 })).toBeCloseTo(0, 12);
    expect(rmsCalibrationError(new Array(300).fill(0.9), new Array(300).fill(0))).toBeCloseTo(0.9, 12);
  });

  it('breaks ties by sample index, so the same inputs always give the same bins', () => {
    const conf = [0.5, 0.5, 0.5, 0.5];
    expect(rmsCalibrationError(conf, [1, 1, 0, 0], { binSize: 2 })).toBeCloseTo(0.5, 12);
    expect(rmsCalibrationError(conf, [1, 0, 1, 0], { binSize: 2 })).toBeCloseTo(0, 12);
  });

  it('treats fewer samples than a bin as one bin; the reference variant has none (NaN)', () => {
    expect(rmsCalibrationError([0.9, 0.8], [1, 1])).toBeCloseTo(0.15, 12);
    expect(rmsCalibrationError([0.9, 0.8], [1, 1], { variant: 'reference' })).toBeNaN();
  });

  it('rejects mismatched lengths and bad bin sizes', () => {
    expect(() => rmsCalibrationError([0.5], [1, 0])).toThrow('rmsCalibrationError: 1 confidences but 2 correctness flags');
    expect(() => rmsCalibrationError([0.5], [1], { binSize: 0 })).toThrow('binSize must be an integer >= 1, got 0');
  });
});

describe('confidenceAndCorrect and errorRate', () => {
  it('takes the max probability and compares the argmax with the label', () => {
    const probs = Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.2, 0.2, 0.6]);
    const { confidence, correct } = confidenceAndCorrect(probs, [1, 2, 2], 3);
    expect([...confidence].map((v) => Math.fround(v))).toEqual([0.7, 0.5, 0.6].map(Math.fround));
    expect([...correct]).toEqual([1, 0, 1]);
    expect(errorRate(correct)).toBeCloseTo(1 / 3, 12);
    expect(() => confidenceAndCorrect(probs, [1, 2], 3)).toThrow('probabilities hold 9 values, expected 2 x 3');
  });
});
