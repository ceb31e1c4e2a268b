import { appendFile, readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic.ts';

/** One line of a metrics log: a JSON object with a `type`. */
export type MetricsRecord = Readonly<Record<string, unknown> & { type: string }>;

/**
 * An append-only JSON Lines log (one record per line, readable with any tool). Opening it keeps
 * only the records `keep` accepts, so a resumed run drops what it is about to redo; that rewrite
 * is atomic. A torn last line (the process killed mid-append) is dropped rather than failing.
 */
export class MetricsLog {
  private constructor(readonly path: string) {}

  static async open(path: string, keep: (record: MetricsRecord) => boolean): Promise<MetricsLog> {
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw new Error(`metrics log ${path}: ${err.message}`, { cause: err });
    });
    const lines = text.split('\n').filter((l) => l.length > 0);
    const kept = lines.filter((line, i) => {
      try {
        return keep(JSON.parse(line) as MetricsRecord);
      } catch (err) {
        if (i === lines.length - 1) return false;
        throw new Error(`metrics log ${path}: line ${i + 1} is not JSON`, { cause: err });
      }
    });
    if (kept.length !== lines.length || (text.length > 0 && !text.endsWith('\n'))) {
      await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
    }
    return new MetricsLog(path);
  }

  /** Appends `record` with the wall-clock time as `time` (ISO 8601). */
  async append(record: MetricsRecord): Promise<void> {
    await appendFile(this.path, `${JSON.stringify({ ...record, time: new Date().toISOString() })}\n`);
  }

  /** All records of a log file, in order. */
  static async read(path: string): Promise<MetricsRecord[]> {
    const text = await readFile(path, 'utf8');
    return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as MetricsRecord);
  }
}
