import { readFileSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';

/** The lock file a writer holds in a folder it writes (a run folder, a corruption benchmark). */
export const FOLDER_LOCK = '.fourier-augmix.lock';

/**
 * A holder touches its lock file this often, and a lock untouched for `STALE_MS` is taken over
 * whoever held it: a process killed outright on another host (a rescheduled cluster task) cannot
 * be checked from here, and a restarted container can reuse the dead holder's pid.
 */
const REFRESH_MS = 30_000;
export const STALE_MS = 5 * 60_000;

/** What a lock file holds: who writes, since when. */
interface Holder {
  readonly host: string;
  readonly pid: number;
  readonly since: string;
}

/** A taken lock; `release` removes its file at once (synchronously, so the next writer finds it free), once. */
export interface WriterLock {
  readonly path: string;
  /** Set when the lock was taken over from a process that is gone; say it to the user. */
  readonly notice: string | null;
  release(): void;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the exclusive lock `path` (a file created with O_EXCL holding host, pid and time) for one
 * writer of `what`. A lock held by a live process, or by any process on another host, refuses at
 * once, naming the holder; a lock whose process is gone from this host, or that its holder has
 * not touched for `STALE_MS`, is taken over, with a notice. The holder touches the file while it
 * holds it; the file is removed on `release` and, failing that, when the process exits.
 *
 * @throws Error naming `what`, the holder and the lock file
 */
export async function takeLock(path: string, what: string): Promise<WriterLock> {
  const me: Holder = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
  let notice: string | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      return held(path, me, notice);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${what}: cannot take the lock ${path}: ${(err as Error).message}`, { cause: err });
    }
    const holder = readHolder(path);
    const idle = Date.now() - (statSyncOrNull(path)?.mtimeMs ?? Date.now());
    if (holder && idle < STALE_MS && (holder.host !== me.host || alive(holder.pid))) {
      throw new Error(
        `${what} is in use by process ${holder.pid} on ${holder.host} since ${holder.since} (${path}); wait for it to finish, or use another folder`,
      );
    }
    notice = !holder
      ? `took over ${path} (unreadable: its writer died while taking it)`
      : idle >= STALE_MS
        ? `took over ${path} from process ${holder.pid} on ${holder.host}, which had not touched it for ${Math.round(idle / 60_000)} min`
        : `took over ${path} from process ${holder.pid}, which is gone`;
    await unlink(path).catch(() => undefined);
  }
  throw new Error(`${what}: another process took the lock ${path} at the same moment; try again`);
}

function statSyncOrNull(path: string): { mtimeMs: number } | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof h.host === 'string' && Number.isInteger(h.pid) && typeof h.since === 'string' ? (h as Holder) : null;
  } catch {
    return null;
  }
}

function held(path: string, me: Holder, notice: string | null): WriterLock {
  let released = false;
  const refresh = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // Removed under us: the next writer's problem to report, not this one's.
    }
  }, REFRESH_MS).unref();
  const release = (): void => {
    if (released) return;
    released = true;
    clearInterval(refresh);
    process.off('exit', release);
    // Only our own file: after a stall of STALE_MS another writer may have taken the lock over.
    const holder = readHolder(path);
    if (holder?.host !== me.host || holder.pid !== me.pid || holder.since !== me.since) return;
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  // A process that ends without releasing (an uncaught error, process.exit) still removes its file.
  process.once('exit', release);
  return { path, notice, release };
}
