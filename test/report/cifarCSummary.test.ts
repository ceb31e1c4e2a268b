import { niceTicks } from '../../src/report/charts.ts';
import { cifarCMarkdown, summariseCifarC, type CifarCCell } from '../../src/report/cifarCSummary.ts';

const cell = (corruption: string, severity: number, error: number, calibration: number): CifarCCell => ({
  corruption,
  severity,
  error,
  calibration,
  count: 10,
  calibrationReference: 0,
  loss: 1,
});

describe('summariseCifarC', () => {
  it('averages per corruption over severities, per severity over corruptions, and over every cell', () => {
    const s = summariseCifarC([cell('fog', 1, 0.1, 0.05), cell('fog', 5, 0.5, 0.25), cell('contrast', 1, 0.2, 0.1), cell('contrast', 5, 0.8, 0.3)]);
    expect(s.corruptions.map((c) => [c.corruption, c.error, c.errorBySeverity])).toEqual([
      ['fog', 0.3, [0.1, 0.5]],
      ['contrast', 0.5, [0.2, 0.8]],
    ]);
    expect(s.severities.map((x) => [x.severity, x.error])).toEqual([
      [1, 0.15000000000000002],
      [5, 0.65],
    ]);
    expect(s.overall).toEqual({ error: 0.4, calibration: 0.175, cells: 4 });
    expect(cifarCMarkdown('t', s)).toContain('| fog | 10.0 | 50.0 | 30.0 | 15.0 |');
  });
});

describe('niceTicks', () => {
  it('gives round steps without binary noise', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-7, 23)).toEqual([-10, 0, 10, 20]);
    expect(niceTicks(0.1, 0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
  });
});
