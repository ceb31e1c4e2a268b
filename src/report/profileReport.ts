import { pack } from 'msgpackr';
import type { ProfileSnapshot } from '../streams/profiler.ts';
import { formatMiB, formatRate, profileMarkdown } from './profileTable.ts';
import type { Verdict } from './profileVerdict.ts';

/** One consumed batch, as logged to `batches.msgpack`. */
export interface BatchRecord {
  readonly step: number;
  readonly epoch: number;
  readonly size: number;
  /** Milliseconds since the stream was subscribed, when the consumer got the batch. */
  readonly ms: number;
  /** Resident set size in bytes at that moment. */
  readonly rss: number;
  /** Chunk credits in use (the `augment.credits` gauge's last value). */
  readonly credits: number;
}

/** What `profile.json` holds. */
export interface ProfileReport {
  readonly config: Readonly<Record<string, unknown>>;
  readonly dataset: string;
  readonly images: number;
  readonly batches: number;
  readonly elapsedMs: number;
  /** End-to-end: images consumed per second of wall time. */
  readonly imagesPerSecond: number;
  readonly rss: { readonly beforeBytes: number; readonly afterBytes: number; readonly peakBytes: number; readonly processMaxBytes: number };
  readonly profile: ProfileSnapshot;
  /** What holds the data path back (`profileVerdict`). */
  readonly verdict: Verdict;
}

/**
 * Batch records as concatenated MessagePack values, one per batch, the same framing a log that is
 * appended to while training would have; read them back with msgpackr's `unpackMultiple`.
 */
export function packRecords(records: readonly BatchRecord[]): Uint8Array[] {
  return records.map((r) => pack(r));
}

/** `profile.md`: the report as readable tables. */
export function profileReportMarkdown(r: ProfileReport): string {
  const cfg = Object.entries(r.config)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
  return [
    `# Data path profile: ${r.dataset}`,
    '',
    `\`${cfg}\``,
    '',
    `${r.images} images in ${r.batches} batches, ${(r.elapsedMs / 1000).toFixed(2)} s: **${formatRate(r.imagesPerSecond)} images/s** end to end.`,
    '',
    `**Bottleneck: ${r.verdict.bottleneck}.** ${r.verdict.line}.`,
    '',
    ...profileMarkdown(r.profile),
    '',
    '| memory | |',
    '|---|---:|',
    `| RSS before | ${formatMiB(r.rss.beforeBytes)} |`,
    `| RSS after | ${formatMiB(r.rss.afterBytes)} |`,
    `| RSS peak (sampled per batch) | ${formatMiB(r.rss.peakBytes)} |`,
    `| process max RSS (getrusage) | ${formatMiB(r.rss.processMaxBytes)} |`,
    '',
    'Utilisation is busy time over elapsed time × threads: below ~90% on `augment` means the workers',
    'waited (for credits, i.e. a slow consumer, or for work). `augment.credits` near its limit with a',
    'low `augment.queued` points at the consumer; a high `augment.reorder` at uneven chunk times.',
    '',
    'Per-batch records (step, epoch, size, ms, rss, credits) are in `batches.msgpack` (concatenated',
    'MessagePack values: `unpackMultiple` from msgpackr).',
    '',
  ].join('\n');
}
