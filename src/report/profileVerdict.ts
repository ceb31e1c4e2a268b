import type { ProfileSnapshot } from '../streams/profiler.ts';

/** What holds a data path back, from a profiler snapshot of `augment` feeding a consumer stage. */
export interface Verdict {
  readonly bottleneck: 'consumer' | 'workers' | 'main thread' | 'in-process' | 'none';
  /** One line for the user: the bottleneck, the figures that show it, and what would help. */
  readonly line: string;
}

const pct = (x: number): string => `${Math.round(100 * x)}%`;

/**
 * Names the bottleneck stage. `workers` is the augmentation worker count (0: in-process) and
 * `consumer` the stage that takes the batches (the model, or profile's simulated consumer).
 * Each rule reads the recent figures, so a verdict follows a run whose balance shifts.
 */
export function profileVerdict(s: ProfileSnapshot, workers: number, consumer = 'consume'): Verdict {
  const augment = s.stages.find((st) => st.name === 'augment');
  const consume = s.stages.find((st) => st.name === consumer);
  const credits = s.waits.find((w) => w.name === 'augment.credits')?.fraction ?? 0;
  const main = s.mainThread;
  const consumerBusy = consume?.recentUtilisation ?? 0;
  const workersBusy = augment?.recentUtilisation ?? 0;
  const delay = `event-loop delay mean ${main.delayMeanMs.toFixed(1)} ms, max ${main.delayMaxMs.toFixed(0)} ms`;
  if (workers === 0) {
    return {
      bottleneck: 'in-process',
      line:
        `augmentation runs on the main thread (workers=0), in turn with the ${consumer} stage: main thread busy ${pct(main.recentUtilisation)}; ` +
        'workers would overlap the two (the faster choice only when the work per batch is tiny or the cores are taken)',
    };
  }
  // The busiest of consumer, workers and main thread is the bottleneck, if any is busy half the
  // time; waiting for credits is the consumer's share too (it holds them).
  const consumerShare = Math.max(consumerBusy, credits);
  if (consumerShare >= 0.5 && consumerShare >= workersBusy) {
    return {
      bottleneck: 'consumer',
      line:
        `the ${consumer} stage holds every credit: it is busy ${pct(consumerBusy)} of the time and the workers waited for credits ${pct(credits)}; ` +
        'a faster consumer, not more workers, would speed this up',
    };
  }
  if (main.recentUtilisation >= 0.8 && workersBusy < 0.5) {
    return {
      bottleneck: 'main thread',
      line: `workers idle (busy ${pct(workersBusy)}): the main thread is saturated (busy ${pct(main.recentUtilisation)}, ${delay}); fewer threads or a lighter consumer on it would help`,
    };
  }
  if (workersBusy >= 0.5) {
    return {
      bottleneck: 'workers',
      line: `the ${augment?.threads ?? workers} augmentation worker(s) are busy ${pct(workersBusy)}: more cores (workers=) would help; the ${consumer} stage waits for data`,
    };
  }
  return {
    bottleneck: 'none',
    line: `no stage is saturated (workers busy ${pct(workersBusy)}, ${consumer} ${pct(consumerBusy)}, main thread ${pct(main.recentUtilisation)}): the source or start-up dominates`,
  };
}
