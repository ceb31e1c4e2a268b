import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { concat, defer, type Observable } from 'rxjs';
import { formatShard, inShard, type Shard } from '../ops/shard.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';
import { UsageError } from '../pipeline/usageError.ts';

/** The stages of a study, in the order they must run: every task of a stage needs the one before finished. */
export const STAGES = ['train', 'eval', 'report'] as const;
export type Stage = (typeof STAGES)[number];

/** One unit of a study's work: a scheduler's array task runs a slice of one stage's tasks. */
export interface StudyTask {
  readonly stage: Stage;
  /** What it does, e.g. `train cifar10-mini/AugSVF`. */
  readonly name: string;
  /** Files that must exist before it starts (what the stage before writes). */
  readonly needs: readonly string[];
  /** Its work: a run of a pipeline into its own folder, resumable, so running it again redoes nothing. */
  readonly run: () => Observable<PipelineEvent>;
}

/** The tasks of `stage` that `shard` runs: round-robin over the stage's canonical order, as Fourier shards are. */
export function tasksOf(all: readonly StudyTask[], stage: Stage, shard: Shard): StudyTask[] {
  return all.filter((t) => t.stage === stage).filter((_, i) => inShard(i, shard));
}

/** The plan: per stage, its tasks in order with their index, and how many array tasks it can use. */
export function planLines(all: readonly StudyTask[], base: string): string[] {
  const lines: string[] = [];
  for (const stage of STAGES) {
    const tasks = all.filter((t) => t.stage === stage);
    lines.push(`stage=${stage}: ${tasks.length} task(s); run as task=i/n with n up to ${tasks.length}`);
    const needs = (t: StudyTask): string => {
      if (t.needs.length === 0) return '';
      const shown = t.needs.slice(0, 2).map((f) => relative(base, f));
      return `  (needs ${shown.join(', ')}${t.needs.length > 2 ? `, ... ${t.needs.length} files in all` : ''})`;
    };
    tasks.forEach((t, i) => lines.push(`  ${String(i).padStart(3)}  ${t.name}${needs(t)}`));
  }
  return lines;
}

/**
 * Runs `shard`'s slice of `stage`, one task after another, after checking that every input of the
 * slice exists: a stage started too early is refused, naming what is missing, before anything runs.
 */
export function runStage(all: readonly StudyTask[], stage: Stage, shard: Shard, base: string): Observable<PipelineEvent> {
  return defer(() => {
    const mine = tasksOf(all, stage, shard);
    const missing = [...new Set(mine.flatMap((t) => t.needs.filter((f) => !existsSync(f))))];
    if (missing.length > 0) {
      const shown = missing.slice(0, 5).map((f) => relative(base, f) || f);
      const before = STAGES[STAGES.indexOf(stage) - 1];
      throw new UsageError(
        `stage=${stage} task=${formatShard(shard)}: inputs missing (${missing.length}): ${shown.join(', ')}${missing.length > 5 ? ', ...' : ''}` +
          (before ? `; run every task of stage=${before} first` : ''),
      );
    }
    const total = all.filter((t) => t.stage === stage).length;
    const head = event.log(
      `stage=${stage} task=${formatShard(shard)}: ${mine.length} of ${total} task(s)${mine.length ? `: ${mine.map((t) => t.name).join('; ')}` : ''}`,
    );
    return concat([head], ...mine.map((t) => t.run()));
  });
}
