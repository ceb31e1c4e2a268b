import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as createTar } from 'tar';
import { fetchArchive, type ArchiveSource } from '../../src/data/fetchArchive.ts';
import { cli } from '../cli/io.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'fa-fetch-'));
  dirs.push(d);
  return d;
};
let server: Server;
let base: string;
let archive: Buffer;
let md5: string;

beforeAll(async () => {
  // A CIFAR-10-like archive: cifar-10-batches-bin/{test_batch.bin, batches.meta.txt}.
  const src = tmp();
  mkdirSync(join(src, 'cifar-10-batches-bin'));
  writeFileSync(join(src, 'cifar-10-batches-bin', 'test_batch.bin'), Buffer.alloc(3073 * 3, 7));
  writeFileSync(join(src, 'cifar-10-batches-bin', 'batches.meta.txt'), 'airplane\n');
  const file = join(src, 'archive.tar.gz');
  await createTar({ gzip: true, file, cwd: src }, ['cifar-10-batches-bin']);
  archive = readFileSync(file);
  md5 = createHash('md5').update(archive).digest('hex');
  server = createServer((req, res) => {
    if (req.url === '/cifar-10-binary.tar.gz') return void res.writeHead(200, { 'content-length': archive.length }).end(archive);
    // Announces the whole archive, sends half, then drops the connection.
    if (req.url === '/truncated.tar.gz') {
      res.writeHead(200, { 'content-length': archive.length });
      return void res.write(archive.subarray(0, archive.length >> 1), () => res.destroy());
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const source = (over: Partial<ArchiveSource> = {}): ArchiveSource => ({
  name: 'fake', url: `${base}/cifar-10-binary.tar.gz`, md5, bytes: archive.length, folder: 'cifar-10-batches-bin', marker: 'test_batch.bin', ...over,
});
/** Nothing but the given entries: no .part file, no staging folder. */
const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('fetchArchive (against a server on loopback)', () => {
  it('downloads, checks and unpacks, reporting progress; a second fetch keeps the folder', async () => {
    const dir = tmp();
    const seen: number[] = [];
    const got = await fetchArchive(source(), dir, { onProgress: (p) => seen.push(p.received) });
    expect(got).toEqual({ folder: join(dir, 'cifar-10-batches-bin'), existed: false });
    expect(readFileSync(join(got.folder, 'test_batch.bin'))).toEqual(Buffer.alloc(3073 * 3, 7));
    expect(seen.at(-1)).toBe(archive.length);
    expect(entries(dir)).toEqual(['cifar-10-batches-bin']);
    expect(await fetchArchive(source({ url: `${base}/gone` }), dir)).toEqual({ folder: got.folder, existed: true });
  });

  it('refuses a checksum mismatch, a short download and an HTTP error, leaving nothing behind', async () => {
    const dir = tmp();
    await expect(fetchArchive(source({ md5: '0'.repeat(32) }), dir)).rejects.toThrow(`${base}/cifar-10-binary.tar.gz: MD5 ${md5} does not match the published ${'0'.repeat(32)}; nothing was kept`);
    await expect(fetchArchive(source({ url: `${base}/truncated.tar.gz` }), dir)).rejects.toThrow(new RegExp(`^${base}/truncated.tar.gz: `));
    await expect(fetchArchive(source({ url: `${base}/missing.tar.gz` }), dir)).rejects.toThrow(`${base}/missing.tar.gz: HTTP 404 Not Found`);
    await expect(fetchArchive(source({ marker: 'data_batch_1.bin' }), dir)).rejects.toThrow('the archive does not contain cifar-10-batches-bin/data_batch_1.bin');
    expect(entries(dir)).toEqual([]);
  });
});

describe('fourier-augmix data fetch', () => {
  it('checks against the published size and checksum (our stand-in archive fails them) and names unknown datasets', async () => {
    const dir = tmp();
    const r = await cli(['data', 'fetch', 'cifar10', '--dir', dir, '--base-url', `${base}/`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${base}/cifar-10-binary.tar.gz: received ${archive.length} bytes, expected 170052171 (interrupted download?); nothing was kept`);
    expect(entries(dir)).toEqual([]);
    const bad = await cli(['data', 'fetch', 'imagenet']);
    expect([bad.code, bad.stderr]).toEqual([2, "error: data fetch: unknown dataset 'imagenet'; known: cifar10, cifar100, cifar10c, cifar100c\n"]);
  });
});
