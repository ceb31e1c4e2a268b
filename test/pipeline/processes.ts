import { setTimeout as sleep } from 'node:timers/promises';

/** Whether process `pid` exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits up to `ms` for process `pid` to be gone; whether it is. */
export async function gone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end && alive(pid);) await sleep(20);
  return !alive(pid);
}
