import { AUTO_ORDER, BackendUnavailableError, selectBackend, type BackendName, type SelectBackendOptions } from './backend.ts';
import type { AdapterSummary } from './webgpu/gpuAdapter.ts';

/** One backend as `fourier-augmix backends` shows it. */
export interface BackendProbe {
  readonly name: BackendName;
  /** It loaded and started when asked for by name. */
  readonly present: boolean;
  /** Why not, or what it runs on. */
  readonly reason: string;
  readonly adapter?: AdapterSummary;
}

/** Every backend, each asked for by name, then what `auto` picks here and why it passed the others. */
export interface BackendsReport {
  readonly backends: readonly BackendProbe[];
  readonly auto: BackendName;
  readonly autoReasons: readonly { readonly name: BackendName; readonly reason: string }[];
}

/** Starts each backend once (in this process), fastest first, so a user sees which GPU path they have and why. */
export async function probeBackends(options: SelectBackendOptions = {}): Promise<BackendsReport> {
  const backends: BackendProbe[] = [];
  for (const name of AUTO_ORDER) {
    try {
      const s = await selectBackend(name, options);
      // 'selected: <what it runs on>' reads here as '<what it runs on>'.
      const reason = s.tried[0]!.reason.replace(/^selected(: )?/, '') || 'loads';
      backends.push(s.adapter ? { name, present: true, reason, adapter: s.adapter } : { name, present: true, reason });
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      backends.push({ name, present: false, reason: err.tried[0]?.reason ?? err.message });
    }
  }
  const auto = await selectBackend('auto', options);
  return { backends, auto: auto.name, autoReasons: auto.tried.filter((a) => !a.ok).map(({ name, reason }) => ({ name, reason })) };
}

/** The report as text: one line per backend, then auto's choice with what it passed over. */
export function formatBackendsReport(r: BackendsReport): string[] {
  const width = Math.max(...r.backends.map((b) => b.name.length));
  const lines: string[] = [];
  for (const b of r.backends) {
    lines.push(`${b.present ? '+' : '-'} ${b.name.padEnd(width)}  ${b.reason}`);
    for (const p of b.adapter?.passedOver ?? []) lines.push(`  ${' '.repeat(width)}  (passed over ${p})`);
  }
  lines.push('', `backend=auto picks ${r.auto}`);
  for (const a of r.autoReasons) if (r.backends.find((b) => b.name === a.name)?.present) lines.push(`  passed over ${a.name}: ${a.reason}`);
  return lines;
}
