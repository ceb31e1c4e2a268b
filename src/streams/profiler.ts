import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

/** Per-stage counters one stream run accumulates; the CLI renders `snapshot()`. */
export interface StageSnapshot {
  readonly name: string;
  readonly images: number;
  /** Average since the profiler started. */
  readonly imagesPerSecond: number;
  /** Over the recent window (`ProfileSnapshot.windowMs`); the average since start before a window has passed. */
  readonly recentImagesPerSecond: number;
  /** Time spent doing the stage's work, summed over threads (ms). */
  readonly busyMs: number;
  /** busyMs / (elapsed × threads): 1 means the stage's threads never waited. */
  readonly utilisation: number;
  /** The same over the recent window. */
  readonly recentUtilisation: number;
  readonly threads: number;
  /** Bytes handed between threads per image (0 when nothing is reported). */
  readonly bytesPerImage: number;
}

export interface GaugeSnapshot {
  readonly name: string;
  readonly mean: number;
  readonly max: number;
  readonly last: number;
}

/** Time a stage spent blocked on something (e.g. on credits the consumer holds). */
export interface WaitSnapshot {
  readonly name: string;
  readonly ms: number;
  /** ms / elapsed. */
  readonly fraction: number;
}

/** The thread the streams run on: how busy its event loop was, and how late its timers fired. */
export interface MainThreadSnapshot {
  /** Event-loop utilisation since start: the share of time spent running code, not idle. */
  readonly utilisation: number;
  readonly recentUtilisation: number;
  /** Event-loop delay (how late a timer fires), ms: mean and max since start. */
  readonly delayMeanMs: number;
  readonly delayMaxMs: number;
}

export interface ProfileSnapshot {
  readonly elapsedMs: number;
  /** The window the recent figures cover (shorter at start). */
  readonly windowMs: number;
  readonly stages: readonly StageSnapshot[];
  readonly gauges: readonly GaugeSnapshot[];
  readonly waits: readonly WaitSnapshot[];
  readonly mainThread: MainThreadSnapshot;
}

interface Stage {
  images: number;
  busyMs: number;
  threads: number;
  bytes: number;
}

interface Gauge {
  sum: number;
  samples: number;
  max: number;
  last: number;
}

/** What a snapshot saw, kept to compute rates over the recent window. */
interface Mark {
  readonly t: number;
  readonly stages: ReadonlyMap<string, { images: number; busyMs: number }>;
  readonly elu: EventLoopUtilization;
}

export interface ProfilerOptions {
  /** The window of the recent figures, ms (default 5000). */
  readonly windowMs?: number;
}

/**
 * Collects throughput per stage, queue depths, waits and the main thread's load; stages report
 * into it, nothing polls. Call `close()` when done (it stops the event-loop delay monitor).
 */
export class Profiler {
  private readonly start = performance.now();
  private readonly stages = new Map<string, Stage>();
  private readonly gauges = new Map<string, Gauge>();
  private readonly waits = new Map<string, number>();
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly elu0 = performance.eventLoopUtilization();
  private readonly marks: Mark[] = [];
  private readonly windowMs: number;

  constructor(options: ProfilerOptions = {}) {
    this.windowMs = options.windowMs ?? 5000;
    this.delay.enable();
    this.marks.push({ t: this.start, stages: new Map(), elu: this.elu0 });
  }

  /** Counts `images` processed by `stage` in `busyMs` of work on one of `threads` threads, moving `bytes` between threads. */
  record(stage: string, images: number, busyMs: number, threads = 1, bytes = 0): void {
    const s = this.stages.get(stage) ?? { images: 0, busyMs: 0, threads, bytes: 0 };
    s.images += images;
    s.busyMs += busyMs;
    s.threads = threads;
    s.bytes += bytes;
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

  /** Adds `ms` to the time spent waiting on `name`. */
  wait(name: string, ms: number): void {
    this.waits.set(name, (this.waits.get(name) ?? 0) + ms);
  }

  /** The latest sample of a gauge (0 before any). */
  last(name: string): number {
    return this.gauges.get(name)?.last ?? 0;
  }

  /** Stops the event-loop delay monitor. */
  close(): void {
    this.delay.disable();
  }

  snapshot(): ProfileSnapshot {
    const now = performance.now();
    const elapsedMs = Math.max(now - this.start, 1e-9);
    const elu = performance.eventLoopUtilization();
    // The oldest mark still inside the window (or the start): the recent figures run from it.
    const from = this.marks.find((m) => now - m.t <= this.windowMs) ?? this.marks.at(-1)!;
    const span = Math.max(now - from.t, 1e-9);
    const stages = [...this.stages].map(([name, s]) => {
      const before = from.stages.get(name) ?? { images: 0, busyMs: 0 };
      return {
        name,
        images: s.images,
        imagesPerSecond: s.images / (elapsedMs / 1000),
        recentImagesPerSecond: (s.images - before.images) / (span / 1000),
        busyMs: s.busyMs,
        utilisation: s.busyMs / (elapsedMs * Math.max(s.threads, 1)),
        recentUtilisation: (s.busyMs - before.busyMs) / (span * Math.max(s.threads, 1)),
        threads: s.threads,
        bytesPerImage: s.images > 0 ? s.bytes / s.images : 0,
      };
    });
    this.marks.push({ t: now, stages: new Map([...this.stages].map(([n, s]) => [n, { images: s.images, busyMs: s.busyMs }])), elu });
    while (this.marks.length > 2 && now - this.marks[1]!.t > this.windowMs) this.marks.shift();
    const gauges = [...this.gauges].map(([name, g]) => ({ name, mean: g.sum / g.samples, max: g.max, last: g.last }));
    const waits = [...this.waits].map(([name, ms]) => ({ name, ms, fraction: ms / elapsedMs }));
    const sinceStart = performance.eventLoopUtilization(elu, this.elu0);
    const recent = performance.eventLoopUtilization(elu, from.elu);
    // The histogram reads in nanoseconds; before its first sample its mean is NaN.
    const ms = (ns: number): number => (Number.isFinite(ns) ? ns / 1e6 : 0);
    const mainThread = {
      utilisation: sinceStart.utilization,
      recentUtilisation: recent.utilization,
      delayMeanMs: ms(this.delay.mean),
      delayMaxMs: ms(this.delay.max),
    };
    return { elapsedMs, windowMs: span, stages, gauges, waits, mainThread };
  }
}
