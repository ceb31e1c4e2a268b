import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writePaperReport } from '../report/paperReport.ts';
import { Command, CommanderError } from 'commander';
import { corruptEvents, listCorruptions, planCorrupt } from '../jobs/corrupt.ts';
import { CIFAR_C_SEVERITIES } from '../ops/corruptions/names.ts';
import { validateParams } from '../pipeline/overrides.ts';
import { addOptions, corruptOptions, exportOptions, fetchOptions, flagName, optionSchema, reportOptions } from './commandOptions.ts';
import { archives } from '../data/fetchArchive.ts';
import { CHILD_EVENTS, CHILD_PARAMS } from '../pipeline/childRun.ts';
import { fetchEvents, resolveArchives } from '../jobs/fetchData.ts';
import { describeDetails, describeParams, describeRun, formatValue } from '../pipeline/describe.ts';
import { exportOnnx } from '../jobs/exportOnnx.ts';
import { parseOverrides } from '../pipeline/overrides.ts';
import { render, type RenderIO, type RenderResult } from './render.ts';
import { builtinPipelines, loadPipeline } from '../pipeline/resolvePipeline.ts';
import { packageFile, packageRoot } from '../packageFiles.ts';
import { prepareRun } from '../pipeline/startRun.ts';
import { UsageError } from '../pipeline/usageError.ts';
import { InputError } from '../inputError.ts';

/** Streams and working directory the CLI uses; tests pass their own. */
export interface MainIO extends RenderIO {
  readonly cwd: string;
}

const defaultIO = (): MainIO => ({ stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });

/**
 * Exit statuses: 2 for usage and input errors (commander's convention too), 1 for a failure during
 * the work, 128 + the signal's number for an interrupted run (130 for SIGINT, 143 for SIGTERM).
 */
const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, terminated: 143 } as const;

/** The status of a rendered run. */
const statusOf = (result: RenderResult): number => (!result.interrupted ? EXIT.ok : result.signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);

/**
 * Runs the command line `argv` (without `node` and the script) and returns the exit status.
 * Errors are printed as one line on stderr; set `DEBUG=fourier-augmix` for stack traces of
 * unexpected ones.
 */
export async function main(argv: readonly string[], io: MainIO = defaultIO()): Promise<number> {
  let status: number = EXIT.ok;
  const out = (s: string): void => void io.stdout.write(`${s}\n`);

  const prepare = async (spec: string, overrides: readonly string[]) => {
    const { pipeline, file, preset } = await loadPipeline(spec, io.cwd);
    const given: Record<string, unknown> = { ...childParams(), ...parseOverrides(overrides, file) };
    // A preset's values come first, so the user's overrides win; `describe` marks which is which.
    const fromPreset = new Set(Object.keys(preset?.params ?? {}).filter((k) => !(k in given)));
    return { file, pipeline, overrides: { ...preset?.params, ...given }, fromPreset };
  };

  /** `<command> <pipeline> --help`: the pipeline's own parameters, not the command's generic help. */
  const pipelineHelp = async (usage: string, spec: string): Promise<void> => {
    const { pipeline, file, preset } = await loadPipeline(spec, io.cwd);
    out(`Usage: fourier-augmix ${usage} [key=value ...]`);
    out('');
    out(`${pipeline.name} (${file}): ${pipeline.description}`);
    out('');
    out('Parameters (key=default: help (allowed values)):');
    describeParams(pipeline).forEach(out);
    if (preset)
      out(
        `\nPreset values: ${Object.entries(preset.params)
          .map(([k, v]) => `${k}=${formatValue(v)}`)
          .join(' ')}`,
      );
    const presets = Object.keys(pipeline.presets ?? {});
    if (presets.length > 0) out(`\nPresets (run by name): ${presets.join(', ')}`);
  };
  const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';
  const wantsHelp = (overrides: readonly string[]): boolean => overrides.some(isHelp);

  const runPipeline = async (spec: string, overrides: readonly string[]): Promise<void> => {
    if (wantsHelp(overrides)) return pipelineHelp(`run ${spec}`, spec);
    const p = await prepare(spec, overrides);
    const abort = new AbortController();
    const run = prepareRun(p.pipeline, p.file, p.overrides, { cwd: io.cwd, signal: abort.signal });
    // A parent process (`childRun`) asks for the events as JSON lines instead of a display.
    const jsonl = process.env[CHILD_EVENTS] === 'jsonl';
    // Loaded before the run starts, so a bad strategy file stops it before anything is written.
    const details = await describeDetails(run.pipeline, run.params, io.cwd);
    if (!jsonl) [...describeRun(run.pipeline, run.file, run.params, run.given, run.runDir, p.fromPreset), ...details].forEach((l) => io.stderr.write(`${l}\n`));
    const result = await render(run.events, io, { abort, jsonl });
    status = statusOf(result);
    // A run that can resume says how: the same command, with resume=true.
    if (result.interrupted && 'resume' in run.pipeline.params.shape && run.params.resume !== true) {
      io.stderr.write(
        `to continue where it stopped: npx fourier-augmix run ${[spec, ...overrides.filter((o) => !o.startsWith('resume=')), 'resume=true'].join(' ')}\n`,
      );
    }
  };

  const program = new Command('fourier-augmix')
    .description('Fourier-basis augmentations and AugMix as RxJS streams: run pipelines, profile the data path')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .version(packageVersion(), '-V, --version', 'print the version');

  program
    .command('run')
    .description('run a pipeline: a built-in name or a path to a pipeline module (.mjs, .js; .ts with tsx), with key=value overrides')
    .argument('<pipeline>', 'pipeline name or path')
    .argument('[overrides...]', 'key=value parameter overrides (`run <pipeline> --help` lists them)')
    .allowUnknownOption()
    .helpOption(false)
    .addHelpText('after', "\n`fourier-augmix run <pipeline> --help` lists that pipeline's parameters.")
    .action((spec: string, overrides: string[], _options: unknown, cmd: Command) => (isHelp(spec) ? cmd.help() : runPipeline(spec, overrides)));

  program
    .command('describe')
    .description('print the resolved configuration of a pipeline run without running it (--plan: its tasks per stage, for a cluster)')
    .argument('<pipeline>', 'pipeline name or path')
    .argument('[overrides...]', 'key=value parameter overrides')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (spec: string, overrides: string[], _options: unknown, cmd: Command) => {
      if (isHelp(spec)) return cmd.help();
      if (wantsHelp(overrides)) return pipelineHelp(`describe ${spec}`, spec);
      const plan = overrides.includes('--plan');
      const p = await prepare(
        spec,
        overrides.filter((o) => o !== '--plan'),
      );
      const run = prepareRun(p.pipeline, p.file, p.overrides, { cwd: io.cwd });
      describeRun(run.pipeline, run.file, run.params, run.given, run.runDir, p.fromPreset).forEach(out);
      (await describeDetails(run.pipeline, run.params, io.cwd)).forEach(out);
      if (plan) {
        if (!run.pipeline.plan)
          throw new UsageError(`describe ${spec} --plan: ${run.pipeline.name} has no plan to show (only pipelines made of tasks, such as paper)`);
        out('');
        (await run.pipeline.plan(run.params, { cwd: io.cwd, runDir: run.runDir })).forEach(out);
      }
    });

  program
    .command('list')
    .description('list the built-in pipelines with their parameters and defaults')
    .action(async () => {
      for (const name of await builtinPipelines()) {
        const { pipeline } = await loadPipeline(name, io.cwd);
        out(`${name}: ${pipeline.description}`);
        describeParams(pipeline).forEach(out);
        const presets = Object.entries(pipeline.presets ?? {});
        if (presets.length > 0) out(`  presets (run by name; overrides still apply):`);
        for (const [preset, { description }] of presets) out(`    ${preset}: ${description}`);
      }
    });

  program
    .command('profile')
    .description('profile the data path (run profile-datapath with the live table)')
    .argument('[overrides...]', 'key=value overrides for profile-datapath (`profile --help` lists them)')
    .allowUnknownOption()
    .helpOption(false)
    .action((overrides: string[]) => (wantsHelp(overrides) ? pipelineHelp('profile', 'profile-datapath') : runPipeline('profile-datapath', overrides)));

  addOptions(program.command('corrupt'), corruptOptions)
    .description(`write a CIFAR-C style benchmark (<corruption>.npy with ${CIFAR_C_SEVERITIES} severities, labels.npy) for a dataset`)
    .option('--list', 'list the corruptions, how each relates to the original, and exit')
    .action(async ({ list, ...given }: Record<string, string | undefined> & { list?: boolean }) => {
      if (list) return listCorruptions().forEach(out);
      const o = validateParams(optionSchema(corruptOptions), given, 'corrupt', flagName(corruptOptions));
      if (!o.input) throw new UsageError('corrupt: missing --input <dir> (the clean dataset, e.g. data/cifar10-mini)');
      if (!o.output) throw new UsageError('corrupt: missing --output <dir> (where the .npy files go)');
      const plan = await planCorrupt({ ...o, input: o.input, output: o.output }, io.cwd);
      const abort = new AbortController();
      io.stderr.write(
        `corrupt: ${plan.dataset.name} (${plan.dataset.count} images) -> ${plan.output}: ${plan.corruptions.length} corruptions x ${CIFAR_C_SEVERITIES} severities, seed ${plan.seed}\n`,
      );
      const result = await render(corruptEvents(plan), io, { abort });
      status = statusOf(result);
    });

  const data = program.command('data').description('datasets: fetch the official archives (needs a network)');
  addOptions(data.command('fetch'), fetchOptions)
    .description(`download, check (size, MD5) and unpack official archives into --dir: ${Object.keys(archives).join(', ')}`)
    .argument('<names...>', 'datasets to fetch')
    .action(async (names: string[], given: Record<string, string | undefined>) => {
      const o = validateParams(optionSchema(fetchOptions), given, 'data fetch', flagName(fetchOptions));
      const sources = resolveArchives(names, o.baseUrl);
      const abort = new AbortController();
      const result = await render(fetchEvents(sources, resolve(io.cwd, o.dir), abort.signal), io, { abort });
      status = statusOf(result);
    });

  addOptions(program.command('export'), exportOptions)
    .description("write a checkpoint's WRN as an ONNX model (opset 13, BatchNorm kept, normalisation in its metadata), for PyTorch, onnxruntime or a browser")
    .argument('<checkpoint>', 'checkpoint .msgpack, a seed-<n> folder or a one-seed training run folder')
    .action(async (checkpoint: string, given: Record<string, string | undefined>) => {
      const o = validateParams(optionSchema(exportOptions), given, 'export', flagName(exportOptions));
      (await exportOnnx(checkpoint, o.onnx, io.cwd, o.size)).forEach(out);
    });

  addOptions(program.command('report'), reportOptions)
    .description("build the paper's Table 1 and Table 2 and Figures 1-3 from finished training runs (and their seed-<n>/cifar-c, seed-<n>/fourier evaluations)")
    .argument('<runs...>', 'training run folders (each with summary.json)')
    .action(async (runs: string[], given: Record<string, string | undefined>) => {
      const o = validateParams(optionSchema(reportOptions), given, 'report', flagName(reportOptions));
      const outDir = resolve(io.cwd, o.out);
      // Every failure here is the runs given (unfinished, repeated): an input error.
      const written = await writePaperReport(
        runs.map((r) => resolve(io.cwd, r)),
        outDir,
      ).catch((err: unknown) => {
        throw new UsageError(`report: ${(err as Error).message}`, { cause: err });
      });
      written.forEach((w) => out(`wrote ${w}`));
    });

  program
    .command('backends')
    .description('which tfjs backends load here, which GPU adapter webgpu finds (software or hardware, key limits), and what backend=auto picks')
    .option('--json', 'print the report as JSON')
    .action(async ({ json }: { json?: boolean }) => {
      // Loaded here: tfjs and the backends are not needed by the other commands' start-up.
      const { formatBackendsReport, probeBackends } = await import('../model/probeBackends.ts');
      const report = await probeBackends();
      if (json) out(JSON.stringify(report, null, 2));
      else formatBackendsReport(report).forEach(out);
    });

  program
    .command('bench')
    .description('run the benchmark suite (bench/run.ts, in a clone of the repository: the package does not ship it); arguments pass through')
    .argument('[args...]')
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (args: string[]) => {
      status = await bench(args);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (err) {
    // Commander has already printed its own message (and help/version exit through here with 0).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`error: ${message}\n`);
    if (!(err instanceof InputError) && /fourier-augmix/.test(process.env.DEBUG ?? '') && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    return err instanceof InputError ? EXIT.usage : EXIT.failed;
  }
}

/**
 * The typed parameters a parent run handed this process (`childRun`), once: taken out of the
 * environment so that no process this one starts inherits them.
 */
function childParams(): Record<string, unknown> {
  const json = process.env[CHILD_PARAMS];
  if (json === undefined) return {};
  delete process.env[CHILD_PARAMS];
  return JSON.parse(json) as Record<string, unknown>;
}

/** The package's version, from its package.json. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}

/** Spawns `bench/run.ts` in its own process: benchmarks time whole processes, workers included. */
async function bench(args: readonly string[]): Promise<number> {
  const file = join(packageRoot, 'bench', 'run.ts');
  if (!existsSync(file))
    throw new UsageError(`bench: ${file} not found: the benchmark suite runs from a clone of the repository (the installed package does not ship it)`);
  let tsx: string;
  try {
    tsx = pathToFileURL(createRequire(file).resolve('tsx')).href;
  } catch {
    throw new UsageError('bench: the benchmarks run from a checkout with its dev dependencies installed (npm ci), tsx among them');
  }
  const child = spawn(process.execPath, ['--import', tsx, file, ...args], { cwd: packageRoot, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? EXIT.interrupted : EXIT.failed)));
  });
}
