import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pack, unpack } from 'msgpackr';
import { selectBackend } from '../../src/model/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint.ts';
import { createWrn } from '../../src/model/wrn.ts';
import { cli } from '../cli/io.ts';
import { tmpDir } from '../data/tmpDir.ts';

const dir = tmpDir('checkpoint');
const position = { epoch: 1, step: 1, best: null, fingerprint: { strategy: { name: 'AugSVF', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } } };
let good = '';

beforeAll(async () => {
  await selectBackend('cpu');
  const net = createWrn({ depth: 10, widen: 1, classes: 10, seed: 3 });
  good = join(dir, 'good.msgpack');
  await saveCheckpoint(good, net, null, position);
  net.dispose();
});

/** A copy of the good checkpoint with its decoded fields changed by `edit`, written as given. */
function variant(name: string, edit: (c: Record<string, unknown>) => void): string {
  const c = unpack(readFileSync(good)) as Record<string, unknown>;
  edit(c);
  const path = join(dir, name);
  writeFileSync(path, pack(c));
  return path;
}

describe('checkpoint integrity', () => {
  it('saves the SHA-256 of its tensors and verifies it on load', async () => {
    expect((unpack(readFileSync(good)) as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await loadCheckpoint(good)).verified).toBe(true);
  });

  it('refuses a checkpoint whose weight bytes changed, naming the file', async () => {
    const path = join(dir, 'flipped.msgpack');
    const bytes = readFileSync(good);
    // 64 bytes inside the largest tensor, past the header and field names.
    const at = Math.floor(bytes.length / 2);
    for (let i = at; i < at + 64; i++) bytes[i] = bytes[i]! ^ 0x5a;
    writeFileSync(path, bytes);
    await expect(loadCheckpoint(path)).rejects.toThrow(`checkpoint ${path}: damaged: the SHA-256 of its tensors does not match the one it was saved with`);
  });

  it('refuses NaN or infinite weights, also with a matching checksum', async () => {
    const path = variant('nan.msgpack', (c) => {
      const t = (c.params as { data: Uint8Array }[])[0]!;
      new DataView(t.data.buffer, t.data.byteOffset).setFloat32(0, NaN, true);
      delete c.sha256;
    });
    await expect(loadCheckpoint(path)).rejects.toThrow(`checkpoint ${path}: 'params' tensor 0 holds NaN or infinite values`);
  });

  it('loads an older checkpoint without a checksum, unverified, and the evaluation says so', async () => {
    const path = variant('old.msgpack', (c) => delete c.sha256);
    expect((await loadCheckpoint(path)).verified).toBe(false);
    const exported = await cli(['export', path, '--onnx', join(dir, 'old.onnx')]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`checkpoint ${path} has no checksum (written by an older version): loaded unverified`);
    const damaged = join(dir, 'flipped.msgpack');
    const refused = await cli(['export', damaged, '--onnx', join(dir, 'damaged.onnx')]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('damaged');
    expect(existsSync(join(dir, 'damaged.onnx'))).toBe(false);
  });
});
