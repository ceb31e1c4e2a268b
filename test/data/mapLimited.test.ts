import { mapLimited } from '../../src/data/mapLimited.ts';

describe('mapLimited', () => {
  it('keeps input order and never has more than `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimited([5, 1, 4, 2, 3, 0], 2, async (ms, i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight--;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
    expect(most).toBe(2);
  });

  it('passes a failure on', async () => {
    await expect(mapLimited([1, 2], 4, (x) => (x === 2 ? Promise.reject(new Error('two')) : Promise.resolve(x)))).rejects.toThrow('two');
  });
});
