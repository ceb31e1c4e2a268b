import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { concat, concatMap, defer, interval, map, merge, mergeMap, Subject, takeUntil, tap, type Observable } from 'rxjs';
import { z } from 'zod';
import { event, type PipelineEvent } from '../src/pipeline/events.ts';
import { loadDataset } from '../src/jobs/loadDataset.ts';
import { param } from '../src/pipeline/params.ts';
import { shared } from '../src/pipeline/sharedParams.ts';
import { definePipeline } from '../src/pipeline/pipeline.ts';
import { writeFileAtomic, writeJsonAtomic } from '../src/data/atomic.ts';
import { subset } from '../src/data/dataset.ts';
import { loadStrategy } from '../src/streams/loadStrategy.ts';
import { packRecords, profileReportMarkdown, type BatchRecord, type ProfileReport } from '../src/report/profileReport.ts';
import { formatMiB, formatRate } from '../src/report/profileTable.ts';
import { augment } from '../src/streams/augment.ts';
import { batch } from '../src/streams/batch.ts';
import { epochs } from '../src/streams/epochs.ts';
import { Profiler } from '../src/streams/profiler.ts';
import { profileVerdict } from '../src/report/profileVerdict.ts';

export default definePipeline({
  name: 'profile-datapath',
  description: 'Throughput, worker utilisation, queue depths and memory of epochs → augment → batch (profile.json/.md, batches.msgpack)',
  params: z.object({
    data: shared.data('CIFAR-10/100 binary folder or image folder'),
    size: shared.size,
    skipBad: shared.skipBad,
    split: param.enum(['train', 'test'], { default: 'train', help: 'which split to stream' }),
    strategy: param.strategy({ default: 'AugSVF', help: 'augmentation strategy: a built-in or a strategy module' }),
    workers: shared.workers,
    chunkSize: param.optionalInt({ min: 1, max: 4096, help: 'samples per worker task (default: the batch size, so batches need no copy)' }),
    batchSize: param.int({ default: 128, min: 1, max: 8192, help: 'samples per batch' }),
    epochs: param.int({ default: 1, min: 1, max: 1000, help: 'passes over the data' }),
    limit: param.optionalInt({ min: 1, help: 'at most this many images per epoch (the first ones); default all' }),
    seed: shared.seed('shuffle and augmentation seed'),
    consumerMs: param.number({ default: 0, min: 0, max: 60_000, help: 'simulated per-batch consumer time, ms' }),
    record: param.boolean({ default: false, help: 'also record sampled parameters (costs transfer time)' }),
  }),
  run: (p, ctx) =>
    defer(() => Promise.all([loadDataset(p.data, p.split, ctx.cwd, { size: p.size, skipBad: p.skipBad }), loadStrategy(p.strategy, ctx.cwd)])).pipe(
      mergeMap(([full, strategy]): Observable<PipelineEvent> => {
        const ds = p.limit === undefined ? full : subset(full, 0, Math.min(p.limit, full.count));
        const total = ds.count * p.epochs;
        const profiler = new Profiler();
        const records: BatchRecord[] = [];
        const rssBefore = process.memoryUsage.rss();
        let peak = rssBefore;
        let done = 0;
        const finished = new Subject<void>();
        // A shared counter instead of per-batch snapshots' elapsedMs: both start at subscription.
        const start = performance.now();
        const stream = epochs(ds, { epochs: p.epochs, seed: p.seed }).pipe(
          augment(strategy, { workers: p.workers, chunkSize: p.chunkSize ?? p.batchSize, record: p.record, profiler }),
          batch(p.batchSize, { profiler }),
          // One batch at a time: the simulated consumer's delay is what holds the stream back.
          concatMap(async (b) => {
            const t0 = performance.now();
            if (p.consumerMs > 0) await sleep(p.consumerMs);
            const rss = process.memoryUsage.rss();
            peak = Math.max(peak, rss);
            const credits = profiler.last('augment.credits');
            records.push({ step: b.step, epoch: b.epoch, size: b.size, ms: performance.now() - start, rss, credits });
            b.release();
            profiler.record('consume', b.size, performance.now() - t0);
            done += b.size;
            return event.progress('datapath', done, total, 'images', `epoch ${b.epoch + 1}/${p.epochs}`);
          }),
          tap({ complete: () => finished.next(), error: () => finished.next() }),
        );
        const ticks = interval(1000).pipe(
          takeUntil(finished),
          map(() => event.profile(profiler.snapshot())),
        );
        return concat(
          [event.log(`profile-datapath: ${ds.name}, ${ds.count} images × ${p.epochs} epoch(s), ${p.strategy}, ${p.workers} worker(s)`)],
          merge(stream, ticks),
          defer(async () => {
            const snapshot = profiler.snapshot();
            profiler.close();
            const verdict = profileVerdict(snapshot, p.workers);
            const elapsedMs = performance.now() - start;
            const report: ProfileReport = {
              config: p,
              dataset: ds.name,
              images: done,
              batches: records.length,
              elapsedMs,
              imagesPerSecond: done / (elapsedMs / 1000),
              rss: { beforeBytes: rssBefore, afterBytes: process.memoryUsage.rss(), peakBytes: peak, processMaxBytes: process.resourceUsage().maxRSS * 1024 },
              profile: snapshot,
              verdict,
            };
            const paths = { json: join(ctx.runDir, 'profile.json'), md: join(ctx.runDir, 'profile.md'), msgpack: join(ctx.runDir, 'batches.msgpack') };
            await writeJsonAtomic(paths.json, report);
            await writeFileAtomic(paths.md, profileReportMarkdown(report));
            await writeFileAtomic(paths.msgpack, packRecords(records));
            const augmentStage = snapshot.stages.find((s) => s.name === 'augment');
            return [
              event.profile(snapshot),
              event.artifact(paths.json, 'per-stage images/s, utilisation, queue depths, RSS'),
              event.artifact(paths.md, 'the same as readable tables'),
              event.artifact(paths.msgpack, `${records.length} per-batch records (msgpackr, unpackMultiple)`),
              event.summary([
                `profile-datapath: ${formatRate(report.imagesPerSecond)} images/s end to end, augment ${formatRate(augmentStage?.imagesPerSecond ?? 0)} images/s ` +
                  `on ${p.workers} worker(s), peak RSS ${formatMiB(peak)}; see ${paths.md}`,
                `bottleneck: ${verdict.line}`,
              ]),
            ];
          }).pipe(mergeMap((events) => events)),
        );
      }),
    ),
});
