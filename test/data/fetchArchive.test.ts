import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { c as createTar } from 'tar';
import { fetchArchive, type ArchiveSource } from '../../src/data/fetchArchive.ts';
import { cli } from '../cli/io.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'fa-fetch-'));
  dirs.push(d);
  return d;
};
/** One ustar entry, written by hand so that it can be as hostile as a real attacker's. */
function tarEntry(name: string, type: '0' | '2' | '5', body: Buffer | string = ''): Buffer {
  const data = typeof body === 'string' || type !== '0' ? Buffer.alloc(0) : body;
  const header = Buffer.alloc(512);
  const field = (at: number, len: number, value: string): void => void header.write(value.slice(0, len), at, 'utf8');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${data.length.toString(8).padStart(11, '0')}\0`);
  field(136, 12, '00000000000\0');
  header.fill(' ', 148, 156);
  header.write(type, 156);
  if (type === '2') field(157, 100, body as string);
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  const sum = header.reduce((a, b) => a + b, 0);
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}
const hostile = (...entries: Buffer[]): Buffer =>
  gzipSync(Buffer.concat([tarEntry('cifar-10-batches-bin/', '5'), tarEntry('cifar-10-batches-bin/test_batch.bin', '0', Buffer.alloc(3073, 1)), ...entries, Buffer.alloc(1024)]));
const archives = new Map<string, Buffer>();

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
    const other = archives.get(req.url ?? '');
    if (other) return void res.writeHead(200, { 'content-length': other.length }).end(other);
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

  it.each([
    ['a .. component', tarEntry('cifar-10-batches-bin/../../escaped.txt', '0', Buffer.from('x')), "entry 'cifar-10-batches-bin/../../escaped.txt' is a '..' component"],
    ['an absolute path', tarEntry('/tmp/fa-absolute-entry.txt', '0', Buffer.from('x')), "entry '/tmp/fa-absolute-entry.txt' is an absolute path"],
    ['a symlink', tarEntry('cifar-10-batches-bin/link', '2', '/etc/passwd'), "entry 'cifar-10-batches-bin/link' is a SymbolicLink entry"],
  ])('refuses an archive with %s, unpacking nothing', async (_what, entry, message) => {
    const url = `/hostile-${archives.size}.tar.gz`;
    const bytes = hostile(entry);
    archives.set(url, bytes);
    const parent = tmp();
    const dir = join(parent, 'data');
    const md5 = createHash('md5').update(bytes).digest('hex');
    await expect(fetchArchive(source({ url: `${base}${url}`, md5, bytes: bytes.length }), dir)).rejects.toThrow(`${base}${url}: the archive's ${message}; nothing was unpacked`);
    expect(entries(dir)).toEqual([]);
    expect(entries(parent)).toEqual(['data']);
    expect(existsSync('/tmp/fa-absolute-entry.txt')).toBe(false);
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
