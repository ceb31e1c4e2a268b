import { concat, NEVER, Observable, of } from 'rxjs';
import { event } from '../../src/pipeline/events.ts';
import { render } from '../../src/cli/render.ts';
import type { ProfileSnapshot } from '../../src/streams/profiler.ts';
import { Capture } from './io.ts';

const snapshot: ProfileSnapshot = {
  elapsedMs: 2000,
  windowMs: 2000,
  stages: [
    {
      name: 'augment',
      images: 4096,
      imagesPerSecond: 2048,
      recentImagesPerSecond: 3000,
      busyMs: 3600,
      utilisation: 0.9,
      recentUtilisation: 0.95,
      threads: 2,
      bytesPerImage: 36864,
    },
  ],
  gauges: [{ name: 'augment.credits', mean: 7.5, max: 8, last: 8 }],
  waits: [{ name: 'augment.credits', ms: 500, fraction: 0.25 }],
  mainThread: { utilisation: 0.4, recentUtilisation: 0.5, delayMeanMs: 1.25, delayMaxMs: 12 },
};

describe('render', () => {
  it('prints logs, a final line per stage, the profile table and artifacts on stderr, the summary on stdout', async () => {
    const stdout = new Capture();
    const stderr = new Capture();
    const events = of(
      event.log('starting'),
      event.progress('augment', 10, 20, 'images'),
      event.profile(snapshot),
      event.progress('augment', 20, 20, 'images', 'epoch 1/1'),
      event.artifact('/tmp/x.json', 'numbers'),
      event.summary(['all done']),
    );
    expect(await render(events, { stdout, stderr })).toEqual({ interrupted: false, artifacts: [event.artifact('/tmp/x.json', 'numbers')] });
    expect(stdout.text).toBe('all done\n');
    expect(stderr.text).toContain('starting\n');
    expect(stderr.text).toContain('augment: 20/20 images (epoch 1/1)\n');
    // The rate over the recent window, then the average since start, each labelled.
    expect(stderr.text).toMatch(/^stage +images +img\/s 2s +img\/s avg +util +threads/m);
    expect(stderr.text).toMatch(/^augment +4096 +3,000 +2,048 +95% +2$/m);
    expect(stderr.text).toContain('main thread: busy 50% (avg 40%), event-loop delay mean 1.3 ms, max 12 ms');
    expect(stderr.text).toContain('waiting: augment.credits 25% · queues: augment.credits 7.5 (max 8)');
    expect(stderr.text).toContain('wrote /tmp/x.json  (numbers)\n');
  });

  it('unsubscribes on SIGINT, so the pipeline tears down, and reports the run as interrupted', async () => {
    let tornDown = false;
    const abort = new AbortController();
    const listeners = process.listenerCount('SIGINT');
    const events = concat(of(event.progress('augment', 1, 10, 'images')), new Observable<never>(() => () => void (tornDown = true)), NEVER);
    const done = render(events, { stdout: new Capture(), stderr: new Capture() }, { abort });
    process.emit('SIGINT');
    expect(await done).toMatchObject({ interrupted: true });
    expect(tornDown).toBe(true);
    expect(abort.signal.aborted).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  it('rejects with the pipeline error after closing the display', async () => {
    const stderr = new Capture();
    const events = concat(of(event.progress('augment', 1, 10, 'images')), new Observable<never>((s) => s.error(new Error('worker failed'))));
    await expect(render(events, { stdout: new Capture(), stderr })).rejects.toThrow('worker failed');
    expect(stderr.text).toContain('augment: 1/10 images\n');
  });
});
