import { setTimeout as sleep } from 'node:timers/promises';
import { Profiler, type ProfileSnapshot, type StageSnapshot } from '../../src/streams/profiler.ts';
import { profileVerdict } from '../../src/report/profileVerdict.ts';

describe('Profiler', () => {
  it('gives rates over the recent window beside the average since start, and the main thread load', async () => {
    const p = new Profiler({ windowMs: 60 });
    p.record('augment', 100, 10, 2, 100 * 4096);
    await sleep(80);
    p.snapshot(); // a mark: the window now starts here
    p.record('augment', 300, 30, 2, 300 * 4096);
    await sleep(20);
    const s = p.snapshot();
    p.close();
    const a = s.stages[0]!;
    expect(a.images).toBe(400);
    expect(a.bytesPerImage).toBe(4096);
    // The recent window saw 300 images in about 20 ms; since start, 400 in about 100 ms.
    expect(s.windowMs).toBeLessThan(60);
    expect(a.recentImagesPerSecond).toBeCloseTo(300 / (s.windowMs / 1000), 6);
    expect(a.imagesPerSecond).toBeCloseTo(400 / (s.elapsedMs / 1000), 6);
    expect(a.recentImagesPerSecond).toBeGreaterThan(a.imagesPerSecond);
    expect(a.recentUtilisation).toBeCloseTo(30 / (s.windowMs * 2), 6);
    expect(s.mainThread.utilisation).toBeGreaterThanOrEqual(0);
    expect(s.mainThread.utilisation).toBeLessThanOrEqual(1);
    p.wait('augment.credits', 25);
    expect(p.snapshot().waits[0]).toMatchObject({ name: 'augment.credits', ms: 25 });
  });
});

const stage = (name: string, recentUtilisation: number, threads = 1): StageSnapshot => ({
  name,
  images: 1000,
  imagesPerSecond: 1000,
  recentImagesPerSecond: 1000,
  busyMs: 0,
  utilisation: recentUtilisation,
  recentUtilisation,
  threads,
  bytesPerImage: 0,
});
const snap = (augment: number, consume: number, main: number, creditWait = 0): ProfileSnapshot => ({
  elapsedMs: 1000,
  windowMs: 1000,
  stages: [stage('augment', augment, 2), stage('consume', consume)],
  gauges: [],
  waits: creditWait ? [{ name: 'augment.credits', ms: 1000 * creditWait, fraction: creditWait }] : [],
  mainThread: { utilisation: main, recentUtilisation: main, delayMeanMs: 5, delayMaxMs: 40 },
});

describe('profileVerdict', () => {
  it('names the consumer when it holds every credit', () => {
    const v = profileVerdict(snap(0.2, 0.9, 0.1, 0.6), 2);
    expect(v.bottleneck).toBe('consumer');
    expect(v.line).toMatch(/^the consume stage holds every credit: it is busy 90% .* waited for credits 60%/);
  });
  it('names the workers when they are busy and the consumer waits', () => {
    expect(profileVerdict(snap(0.85, 0.05, 0.2), 2)).toMatchObject({ bottleneck: 'workers' });
  });
  it('names a saturated main thread when the workers idle', () => {
    const v = profileVerdict(snap(0.3, 0.1, 0.97), 2);
    expect(v.bottleneck).toBe('main thread');
    expect(v.line).toContain('workers idle (busy 30%): the main thread is saturated (busy 97%, event-loop delay mean 5.0 ms, max 40 ms)');
  });
  it('says augmentation shares the main thread with workers=0', () => {
    expect(profileVerdict(snap(0.9, 0.05, 1), 0)).toMatchObject({ bottleneck: 'in-process' });
  });
  it('says so when nothing is saturated', () => {
    expect(profileVerdict(snap(0.3, 0.2, 0.3), 2)).toMatchObject({ bottleneck: 'none' });
  });
});
