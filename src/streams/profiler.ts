/** Per-stage counters one stream run accumulates; the CLI renders `snapshot()`. */
export interface StageSnapshot {
  readonly name: string;
  readonly images: number;
  readonly imagesPerSecond: number;
  /** Time spent doing the stage's work, summed over threads (ms). */
  readonly busyMs: number;
  /** busyMs / (elapsed × threads): 1 means the stage's threads never waited. */
  readonly utilisation: number;
  readonly threads: number;
}

export interface GaugeSnapshot {
  readonly name: string;
  readonly mean: number;
  readonly max: number;
  readonly last: number;
}

export interface ProfileSnapshot {
  readonly elapsedMs: number;
  readonly stages: readonly StageSnapshot[];
  readonly gauges: readonly GaugeSnapshot[];
}

interface Stage {
  images: number;
  busyMs: number;
  threads: number;
}

interface Gauge {
  sum: number;
  samples: number;
  max: number;
  last: number;
}

/** Collects throughput per stage and queue depths; stages report into it, nothing polls. */
export class Profiler {
  private readonly start = performance.now();
  private readonly stages = new Map<string, Stage>();
  private readonly gauges = new Map<string, Gauge>();

  /** Counts `images` processed by `stage` in `busyMs` of work on one of `threads` threads. */
  record(stage: string, images: number, busyMs: number, threads = 1): void {
    const s = this.stages.get(stage) ?? { images: 0, busyMs: 0, threads };
    s.images += images;
    s.busyMs += busyMs;
    s.threads = threads;
    this.stages.set(stage, s);
  }

  /** Samples a queue depth. */
  gauge(name: string, depth: number): void {
    const g = this.gauges.get(name) ?? { sum: 0, samples: 0, max: 0, last: 0 };
    g.sum += depth;
    g.samples++;
    g.max = Math.max(g.max, depth);
    g.last = depth;
    this.gauges.set(name, g);
  }

  /** The latest sample of a gauge (0 before any). */
  last(name: string): number {
    return this.gauges.get(name)?.last ?? 0;
  }

  snapshot(): ProfileSnapshot {
    const elapsedMs = performance.now() - this.start;
    const seconds = Math.max(elapsedMs, 1e-9) / 1000;
    const stages = [...this.stages].map(([name, s]) => ({
      name,
      images: s.images,
      imagesPerSecond: s.images / seconds,
      busyMs: s.busyMs,
      utilisation: s.busyMs / (Math.max(elapsedMs, 1e-9) * Math.max(s.threads, 1)),
      threads: s.threads,
    }));
    const gauges = [...this.gauges].map(([name, g]) => ({ name, mean: g.sum / g.samples, max: g.max, last: g.last }));
    return { elapsedMs, stages, gauges };
  }
}
