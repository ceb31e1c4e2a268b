import { appendFile, readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.ts';

/** One line of a metrics log: a JSON object with a `type`. */
export type MetricsRecord = Readonly<Record<string, unknown> & { type: string }>;

/** What a log file holds: its records, and whether a torn last line was left out. */
export interface LogContents {
  readonly records: MetricsRecord[];
  /** The last line was cut short (a process killed mid-append) and is not among `records`. */
  readonly torn: boolean;
}

/**
 * An append-only JSON Lines log (one record per line, readable with any tool): the one format of
 * training metrics, CIFAR-C cells and Fourier cells, read by one reader (`load`). Opening it keeps
 * only the records `keep` accepts, so a resumed run drops what it is about to redo; that rewrite
 * is atomic. A torn last line (the process killed mid-append) is dropped and reported in `torn`;
 * any other unreadable line is an error naming the file and the line.
 */
export class MetricsLog {
  private constructor(
    readonly path: string,
    /** Opening dropped a torn last line. */
    readonly torn: boolean,
  ) {}

  static async open(path: string, keep: (record: MetricsRecord) => boolean): Promise<MetricsLog> {
    const { text, contents } = await readLog(path);
    const kept = contents.records.filter(keep);
    if (kept.length !== contents.records.length || contents.torn || (text.length > 0 && !text.endsWith('\n'))) {
      await writeFileAtomic(path, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
    return new MetricsLog(path, contents.torn);
  }

  /** Appends `record` with the wall-clock time as `time` (ISO 8601). */
  async append(record: MetricsRecord): Promise<void> {
    await appendFile(this.path, `${JSON.stringify({ ...record, time: new Date().toISOString() })}\n`);
  }

  /**
   * The records of a log file, in order, without changing it; a missing file holds none.
   *
   * @throws Error naming the file and line for a line that is not a JSON record, other than a torn last line
   */
  static async load(path: string): Promise<LogContents> {
    return (await readLog(path)).contents;
  }

  /** All records of a log file, in order (see `load`). */
  static async read(path: string): Promise<MetricsRecord[]> {
    return (await MetricsLog.load(path)).records;
  }
}

async function readLog(path: string): Promise<{ text: string; contents: LogContents }> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw new Error(`${path}: ${err.message}`, { cause: err });
  });
  const lines = text.split('\n');
  // A file that does not end in a newline was cut during its last append.
  const last = text.endsWith('\n') || text === '' ? -1 : lines.length - 1;
  const records: MetricsRecord[] = [];
  let torn = false;
  lines.forEach((line, i) => {
    if (line.length === 0) return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      if (i === last) return void (torn = true);
      throw new Error(`${path}: line ${i + 1} is not JSON (the file is damaged; move it away to start this evaluation afresh)`, { cause: err });
    }
    if (typeof record !== 'object' || record === null || typeof (record as { type?: unknown }).type !== 'string') {
      if (i === last) return void (torn = true);
      throw new Error(`${path}: line ${i + 1} is not a record with a type`);
    }
    records.push(record as MetricsRecord);
  });
  return { text, contents: { records, torn } };
}
