import { didYouMean, editDistance } from '../../src/ops/nearest.ts';

describe('nearest name', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps, ignoring case', () => {
    expect(editDistance('invert', 'invrt')).toBe(1);
    expect(editDistance('shear_x', 'shear_y')).toBe(1);
    expect(editDistance('Rotate', 'rotate')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    // A swap of neighbours is one edit.
    expect(editDistance('tset', 'test')).toBe(1);
    expect(editDistance('AugSFV', 'AugSVF')).toBe(1);
  });

  it('suggests the closest known name only when it is close', () => {
    const known = ['rotate', 'equalize', 'posterize', 'solarize'];
    expect(didYouMean('equalise', known)).toBe(' (did you mean equalize?)');
    expect(didYouMean('rotat', known)).toBe(' (did you mean rotate?)');
    expect(didYouMean('zoom', known)).toBe('');
    expect(didYouMean('rotate', known)).toBe('');
    expect(didYouMean('x', [])).toBe('');
    // A swap beats a dropped letter at the same distance.
    expect(didYouMean('AugSFV', ['AugSF', 'AugSVF'])).toBe(' (did you mean AugSVF?)');
  });
});
