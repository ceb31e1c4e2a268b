import cliProgress from 'cli-progress';
import { formatRate, profileLines } from '../report/profileTable.ts';
import type { ProgressEvent } from '../pipeline/events.ts';
import type { ProfileSnapshot } from '../streams/profiler.ts';

/** Options for `LiveDisplay`. */
export interface LiveDisplayOptions {
  /** Redraws per second on a terminal. */
  readonly fps: number;
  /** Milliseconds between plain-text prints when the stream is not a terminal. */
  readonly notTTYScheduleMs: number;
}

interface Stage {
  bar: cliProgress.SingleBar | null;
  readonly started: number;
  last: ProgressEvent;
}

const barFormat = '{stage} [{bar}] {percentage}% | {value}/{total} {unit} | {rate}/s | ETA {eta_formatted} {info}';
const rowFormat = (_o: unknown, _p: unknown, payload: { text: string }): string => payload.text;

/**
 * The live part of the output: a cli-progress bar per running stage with the latest profile table
 * under it (one "bar" per table line whose format is the line itself, so it redraws in place).
 * On a terminal it redraws at `fps`; elsewhere (`noTTYOutput`) it prints plain snapshots every
 * `notTTYScheduleMs`, which is what CI logs want. MultiBar draws bars in creation order and its
 * `remove` reprints everything in plain mode, so structural changes (a stage starts or ends, the
 * table grows) rebuild the display instead.
 */
export class LiveDisplay {
  private bars: cliProgress.MultiBar | null = null;
  private rows: cliProgress.SingleBar[] = [];
  private readonly stages = new Map<string, Stage>();
  private table: string[] | null = null;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly options: LiveDisplayOptions,
  ) {
    this.tty = (stream as { isTTY?: boolean }).isTTY === true;
  }

  /** Writes a line; while bars are redrawn in place it goes through the MultiBar or it would be overwritten. */
  log(line: string): void {
    if (this.bars && this.tty) this.bars.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }

  progress(e: ProgressEvent): void {
    const st = this.stages.get(e.stage);
    if (e.done >= e.total) {
      // A finished stage leaves the live display for one plain line.
      if (st) this.stages.delete(e.stage);
      this.rebuild();
      this.log(finalLine(e));
      return;
    }
    if (!st) {
      this.stages.set(e.stage, { bar: null, started: performance.now(), last: e });
      this.rebuild();
    } else {
      st.last = e;
      st.bar?.setTotal(e.total);
      st.bar?.update(e.done, this.payload(st));
    }
  }

  profile(snapshot: ProfileSnapshot): void {
    const lines = profileLines(snapshot);
    const grew = lines.length !== this.table?.length;
    this.table = lines;
    if (grew) this.rebuild();
    else lines.forEach((text, i) => this.rows[i]?.update(0, { text }));
  }

  /** Stops redrawing and prints where each unfinished stage got to. */
  close(): void {
    this.stop();
    for (const st of this.stages.values()) this.log(finalLine(st.last));
    this.stages.clear();
  }

  private payload(st: Stage): Record<string, string> {
    const seconds = Math.max((performance.now() - st.started) / 1000, 1e-3);
    return { stage: st.last.stage, unit: st.last.unit, info: st.last.info ?? '', rate: formatRate(st.last.done / seconds) };
  }

  private stop(): void {
    if (!this.bars) return;
    if (this.tty) this.bars.update(); // flush buffered log lines before the bars are cleared
    this.bars.stop();
    this.bars = null;
  }

  private rebuild(): void {
    this.stop();
    if (this.stages.size === 0 && this.table === null) return;
    const { fps, notTTYScheduleMs } = this.options;
    const bars = new cliProgress.MultiBar(
      {
        stream: this.stream,
        format: barFormat,
        fps,
        noTTYOutput: true,
        notTTYSchedule: notTTYScheduleMs,
        clearOnComplete: true,
        hideCursor: true,
        barsize: 24,
        gracefulExit: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bars = bars;
    for (const st of this.stages.values()) st.bar = bars.create(st.last.total, st.last.done, this.payload(st));
    this.rows = (this.table ?? []).map((text) => bars.create(1, 0, { text }, { format: rowFormat }));
  }
}

function finalLine(e: ProgressEvent): string {
  return `${e.stage}: ${e.done}/${e.total} ${e.unit}${e.info ? ` (${e.info})` : ''}`;
}
