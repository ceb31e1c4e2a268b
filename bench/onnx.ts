/**
 * ONNX bench: the same WRN weights (a fresh WRN-16-2 checkpoint, exported with
 * `fourier-augmix export`) on onnxruntime-node and on the best tfjs backend present, in one run:
 *   - Fourier-grid throughput (perturbed images evaluated per second, `evaluateCell`) on both;
 *   - plain onnxruntime inference of the same images (inputs prepared beforehand, only
 *     `session.run` and the read-back timed), interleaved with the ORT grid per cell;
 *   - the perturbation and data movement's share: the ORT grid's extra time per image over plain
 *     inference (basis, signs, `modelInputInto`, tensor wrapping, softmax, scoring). Target < 10%.
 * Writes bench/results/onnx.{json,md}.
 *
 *   node --import tsx bench/onnx.ts [--quick] [--depth 16 --widen 2] [--images 256] [--cells 4] [--passes 2]
 *   (also: npm run bench -- --suite onnx)
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exportOnnx } from '../src/jobs/exportOnnx.ts';
import { readCifar10 } from '../src/data/cifar.ts';
import { subset } from '../src/data/dataset.ts';
import { selectBackend } from '../src/model/backend.ts';
import { saveCheckpoint } from '../src/model/checkpoint.ts';
import { unitPixels, batchIndices } from '../src/model/classifier.ts';
import { evaluateCell, type CellResult } from '../src/model/fourierAttack.ts';
import { openModel } from '../src/model/modelSource.ts';
import { defaultThreads, sessionOptions } from '../src/model/onnx/onnxClassifier.ts';
import { loadOnnxRuntime } from '../src/model/onnx/runtime.ts';
import { createWrn } from '../src/model/wrn.ts';
import { fourierBasis } from '../src/ops/fourierBasis.ts';
import { flipSignsInto, fourierGrid, paperGrid } from '../src/ops/fourierGrid.ts';
import { modelInputInto } from '../src/ops/modelInput.ts';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const DATA = fileURLToPath(new URL('../data/cifar10-mini/', import.meta.url));
const TARGET = 0.1;

export async function main(argv: string[]): Promise<number> {
  const arg = (name: string, dflt: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : dflt);
  const quick = argv.includes('--quick');
  const depth = Number(arg('--depth', '16'));
  const widen = Number(arg('--widen', '2'));
  const images = Number(arg('--images', quick ? '256' : '512'));
  const cellCount = Number(arg('--cells', '4'));
  const passes = Number(arg('--passes', quick ? '2' : '3'));
  const batch = Number(arg('--batch', '128'));
  const threads = defaultThreads();
  const selection = await selectBackend('auto');
  const test = subset(await readCifar10(DATA, 'test'), 0, images);
  const expected = { height: 32, width: 32, channels: 3, classes: 10 };
  const dir = mkdtempSync(join(tmpdir(), 'fa-bench-onnx-'));
  const ck = join(dir, 'wrn.msgpack');
  const onnxPath = join(dir, 'wrn.onnx');
  const net = createWrn({ depth, widen, classes: 10, seed: 0 });
  await saveCheckpoint(ck, net, null, {
    epoch: 0,
    step: 0,
    best: null,
    fingerprint: { strategy: { name: 'bench', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } },
  });
  net.dispose();
  await exportOnnx(ck, onnxPath, dir);
  const ortModel = await openModel(onnxPath, { cwd: dir, expected });
  const tfModel = await openModel(ck, { cwd: dir, expected });
  const ortClean = ortModel.classifier.cleanSet(test, batch);
  const tfClean = tfModel.classifier.cleanSet(test, batch);

  // Plain inference: a session of its own (same options), inputs built once, only run + read-back timed.
  const ort = await loadOnnxRuntime();
  const session = await ort.InferenceSession.create(onnxPath, sessionOptions(threads));
  const contract = { layout: 'nchw', channelOrder: 'rgb', scale: 1, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } as const;
  const feeds = batchIndices(test, batch).map((idx) => {
    const x = new Float32Array(idx.length * 3072);
    modelInputInto(unitPixels(test, idx), x, idx.length, test.shape, contract);
    return { input: new ort.Tensor('float32', x, [idx.length, 3, 32, 32]) };
  });
  const plainRun = async (): Promise<void> => {
    for (const f of feeds) ((await session.run(f)).logits!.data as Float32Array).at(0);
  };

  const all = fourierGrid({ ...paperGrid(), norms: [4] });
  const cells = Array.from({ length: cellCount }, (_, i) => all[Math.floor(((i + 0.5) * all.length) / cellCount)]!);
  await plainRun(); // warm-up: sessions initialised, memory grown
  await evaluateCell(ortClean, cells[0]!, { seed: 0 });
  await evaluateCell(tfClean, cells[0]!, { seed: 0 });

  const side = () => ({ wall: 0, cpu: 0, images: 0 });
  const t = { plain: side(), ort: side(), tfjs: side() };
  const timed = async <T>(s: ReturnType<typeof side>, f: () => Promise<T>): Promise<T> => {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const r = await f();
    s.wall += (performance.now() - w0) / 1000;
    const c = process.cpuUsage(c0);
    s.cpu += (c.user + c.system) / 1e6;
    s.images += test.count;
    return r;
  };
  const agree: { key: string; ort: CellResult; tfjs: CellResult }[] = [];
  for (let p = 0; p < passes; p++) {
    for (const [i, cell] of cells.entries()) {
      // Plain and ORT grid interleaved, order alternating, so load from other processes hits both alike.
      const plain = () => timed(t.plain, plainRun);
      const grid = () => timed(t.ort, () => evaluateCell(ortClean, cell, { seed: 0 }));
      let ortResult: CellResult | null;
      if ((p + i) % 2 === 0) {
        await plain();
        ortResult = await grid();
      } else {
        ortResult = await grid();
        await plain();
      }
      const tfResult = await timed(t.tfjs, () => evaluateCell(tfClean, cell, { seed: 0 }));
      if (p === 0) agree.push({ key: cell.key, ort: ortResult!, tfjs: tfResult! });
    }
    const rate = (s: ReturnType<typeof side>) => (s.images / s.wall).toFixed(0);
    console.log(`  pass ${p + 1}: ORT plain ${rate(t.plain)}, ORT grid ${rate(t.ort)}, tfjs ${selection.name} grid ${rate(t.tfjs)} img/wall-s so far`);
  }

  // The JS part of a cell alone: basis, random-flip signs and modelInputInto for every batch.
  const rf = cells.find((c) => c.alignment === 'random-flip') ?? cells[0]!;
  const prepMicros = (() => {
    const reps = 5;
    const pixels = batchIndices(test, batch).map((idx) => ({ idx, x: unitPixels(test, idx) }));
    const out = new Float32Array(batch * 3072);
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      const basis = fourierBasis({ height: 32, width: 32, kx: rf.kx, ky: rf.ky, phase: rf.phase, norm: rf.norm });
      for (const { idx, x } of pixels) {
        const signs = new Float32Array(idx.length * 3);
        flipSignsInto(0, rf, 32, 32, idx, 3, signs);
        modelInputInto(x, out, idx.length, test.shape, contract, { basis, signs });
      }
    }
    return ((performance.now() - t0) * 1000) / (reps * test.count);
  })();
  ortClean.dispose();
  tfClean.dispose();
  ortModel.classifier.dispose();
  tfModel.classifier.dispose();
  await session.release();
  rmSync(dir, { recursive: true, force: true });

  const per = (s: ReturnType<typeof side>, k: 'wall' | 'cpu') => s.images / s[k];
  const share = (k: 'wall' | 'cpu') => per(t.plain, k) / per(t.ort, k) - 1;
  const ok = share('wall') < TARGET;
  const sameErrors = agree.every((a) => a.ort.error === a.tfjs.error);
  const maxLossDiff = Math.max(...agree.map((a) => Math.abs(a.ort.loss - a.tfjs.loss)));
  const row = (label: string, s: ReturnType<typeof side>) =>
    `| ${label} | ${per(s, 'wall').toFixed(1)} | ${(1e6 / per(s, 'wall')).toFixed(0)} | ${per(s, 'cpu').toFixed(1)} |`;
  const md = [
    `## ONNX: Fourier-grid throughput on onnxruntime-node vs tfjs, same weights (${new Date().toISOString()})`,
    '',
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${loadavg()[0]!.toFixed(1)} at the end. WRN-${depth}-${widen} (fresh checkpoint, exported to ONNX opset 13), ` +
      `${test.count} CIFAR-10 test images in batches of ${batch}, ${cells.length} cells (norm 4, φ = 3π/2, ${cells.map((c) => c.alignment).join('/')}), ${passes} passes. ` +
      `onnxruntime-node CPU EP, ${threads} intra-op threads, graph optimisation 'all'; tfjs backend ${selection.name}${selection.name === 'native' ? ` (${threads} threads)` : ''}. ` +
      "Judged on wall time (onnxruntime runs on its own threads too, so this process's CPU time counts its spinning workers); CPU-time rates shown for reference.",
    '',
    '| | images / wall-s | µs wall / image | images / CPU-s |',
    '|---|---|---|---|',
    row('onnxruntime, plain inference (prepared inputs: run + read back)', t.plain),
    row('onnxruntime, Fourier grid (`evaluateCell`: basis, signs, modelInputInto, run, softmax, score)', t.ort),
    row(`tfjs ${selection.name}, Fourier grid (\`evaluateCell\`: perturbation on the backend)`, t.tfjs),
    '',
    `onnxruntime / tfjs ${selection.name} on the grid: ${(per(t.ort, 'wall') / per(t.tfjs, 'wall')).toFixed(2)}x.`,
    `Perturbation and data movement on the ONNX path: ${(100 * share('wall')).toFixed(1)}% of plain onnxruntime inference per image (wall; CPU time: ${(100 * share('cpu')).toFixed(1)}%); target < ${100 * TARGET}%: ${ok ? 'PASS' : 'FAIL'}.`,
    `The JS part alone (basis, random-flip signs, modelInputInto; one thread): ${prepMicros.toFixed(1)} µs per image, ${((100 * prepMicros) / (1e6 / per(t.plain, 'wall'))).toFixed(1)}% of an image's plain inference. ` +
      'onnxruntime-node 1.30 runs a session synchronously on the main thread, so building inputs on worker threads could hide at most this share; it is not done.',
    `Same weights, same cells: per-cell error ${sameErrors ? 'identical' : '**differs**'} on onnxruntime and tfjs for all ${agree.length} cells; largest difference in mean cross-entropy ${maxLossDiff.toExponential(1)}.`,
    '',
  ];
  console.log(md.join('\n'));
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}onnx.md`, md.join('\n'));
  writeFileSync(
    `${RESULTS}onnx.json`,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        depth,
        widen,
        images: test.count,
        batch,
        threads,
        tfjsBackend: selection.name,
        cells: cells.map((c) => c.key),
        passes,
        wall: { ortPlain: per(t.plain, 'wall'), ortGrid: per(t.ort, 'wall'), tfjsGrid: per(t.tfjs, 'wall') },
        cpu: { ortPlain: per(t.plain, 'cpu'), ortGrid: per(t.ort, 'cpu'), tfjsGrid: per(t.tfjs, 'cpu') },
        share: { wall: share('wall'), cpu: share('cpu') },
        prepMicrosecondsPerImage: prepMicros,
        sameErrors,
        maxLossDiff,
        target: TARGET,
        pass: ok,
      },
      null,
      2,
    )}\n`,
  );
  return ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
