import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { t as listTar, x as extractTar } from 'tar';

/** A published dataset archive: where it lives, how to check it, and what it unpacks to. */
export interface ArchiveSource {
  readonly name: string;
  readonly url: string;
  /** MD5 of the archive as its publisher lists it. */
  readonly md5: string;
  /** Size in bytes, when known: a short download is reported as such rather than as a bad checksum. */
  readonly bytes?: number;
  /** The folder the archive creates (its top-level directory). */
  readonly folder: string;
  /** A file that must exist in `folder` after extraction, to tell a complete one from a partial one. */
  readonly marker: string;
}

/** The official archives (checksums as the publishers list them: the CIFAR page and Zenodo). */
export const archives: Readonly<Record<string, ArchiveSource>> = {
  cifar10: { name: 'cifar10', url: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530', bytes: 170_052_171, folder: 'cifar-10-batches-bin', marker: 'test_batch.bin' },
  cifar100: { name: 'cifar100', url: 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz', md5: '03b5dce01913d631647c71ecec9e9cb8', bytes: 168_513_733, folder: 'cifar-100-binary', marker: 'test.bin' },
  cifar10c: { name: 'cifar10c', url: 'https://zenodo.org/records/2535967/files/CIFAR-10-C.tar', md5: '56bf5dcef84df0e2308c6dcbcbbd8499', bytes: 2_918_471_680, folder: 'CIFAR-10-C', marker: 'labels.npy' },
  cifar100c: { name: 'cifar100c', url: 'https://zenodo.org/records/3555552/files/CIFAR-100-C.tar', md5: '11f0ed0f1191edbf9fa23466ae6021d3', folder: 'CIFAR-100-C', marker: 'labels.npy' },
};

export interface FetchProgress {
  readonly received: number;
  /** From the response's Content-Length or the source's size; undefined when neither says. */
  readonly total: number | undefined;
}

export interface FetchOptions {
  /** Called as bytes arrive. */
  readonly onProgress?: (p: FetchProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Downloads `source` into `dir`, checks its size and MD5, and unpacks it to `dir/<folder>`.
 * Nothing half-done is ever left where a reader would take it for data: the download goes to a
 * `.part` file, the archive is unpacked into a temporary folder that is renamed into place only
 * when complete, and both are removed on failure. An existing complete folder is kept as is.
 *
 * @returns the unpacked folder, and whether it was already there
 * @throws Error naming the URL or file and the problem (HTTP status, short download, checksum)
 */
export async function fetchArchive(source: ArchiveSource, dir: string, options: FetchOptions = {}): Promise<{ folder: string; existed: boolean }> {
  const folder = join(dir, source.folder);
  if (existsSync(join(folder, source.marker))) return { folder, existed: true };
  if (existsSync(folder)) throw new Error(`${folder} exists but has no ${source.marker}: remove it (a partial copy?) and fetch again`);
  await mkdir(dir, { recursive: true });
  const name = source.url.slice(source.url.lastIndexOf('/') + 1);
  const part = join(dir, `.${name}.part`);
  const staging = join(dir, `.${source.folder}.unpacking`);
  try {
    await download(source, part, options);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging);
    await checkEntries(source.url, part);
    await extractTar({ file: part, cwd: staging });
    if (!existsSync(join(staging, source.folder, source.marker))) {
      throw new Error(`${source.url}: the archive does not contain ${source.folder}/${source.marker}`);
    }
    await rename(join(staging, source.folder), folder);
    return { folder, existed: false };
  } finally {
    await rm(part, { force: true });
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Refuses an archive with an entry that could write outside the folder it is unpacked into, or
 * that is not a plain file or folder: an absolute path, a `..` component, a link. The official
 * archives hold only files and folders, so such an entry means the archive is not the one meant.
 *
 * @throws Error naming the URL and the entry
 */
async function checkEntries(url: string, file: string): Promise<void> {
  let bad: string | null = null;
  await listTar({
    file,
    onReadEntry: (entry) => {
      const path = entry.path;
      const why = isAbsolute(path) || /^[a-z]:/i.test(path)
        ? 'an absolute path'
        : path.split(/[\\/]/).includes('..')
          ? "a '..' component"
          : entry.type !== 'File' && entry.type !== 'Directory' && entry.type !== 'OldFile'
            ? `a ${entry.type} entry`
            : null;
      if (why && bad === null) bad = `${url}: the archive's entry '${path}' is ${why}; nothing was unpacked`;
    },
  });
  if (bad !== null) throw new Error(bad);
}

async function download(source: ArchiveSource, path: string, options: FetchOptions): Promise<void> {
  let response: Response;
  try {
    response = await fetch(source.url, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    throw new Error(`${source.url}: download failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`, { cause: err });
  }
  if (!response.ok || !response.body) throw new Error(`${source.url}: HTTP ${response.status} ${response.statusText}`);
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : source.bytes;
  const md5 = createHash('md5');
  let received = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      md5.update(chunk);
      received += chunk.length;
      options.onProgress?.({ received, total });
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), count, createWriteStream(path));
  } catch (err) {
    throw new Error(`${source.url}: download broke off after ${received} bytes: ${err instanceof Error ? err.message : String(err)}; nothing was kept`, { cause: err });
  }
  const expected = source.bytes ?? (Number.isFinite(length) && length > 0 ? length : undefined);
  if (expected !== undefined && received !== expected) {
    throw new Error(`${source.url}: received ${received} bytes, expected ${expected} (interrupted download?); nothing was kept`);
  }
  const digest = md5.digest('hex');
  if (digest !== source.md5) throw new Error(`${source.url}: MD5 ${digest} does not match the published ${source.md5}; nothing was kept`);
  const { size } = await stat(path);
  if (size !== received) throw new Error(`${path}: wrote ${size} of ${received} bytes`);
}
