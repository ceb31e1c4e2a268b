import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Packr, unpack } from 'msgpackr';

/** What `writeFileAtomic` accepts: the whole content, or chunks produced (possibly lazily) in order. */
export type AtomicContent =
  | string
  | Uint8Array
  | Iterable<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>;

/**
 * Writes `path` so that readers see either the old file or the complete new one, never a
 * partial write: the content goes to `path.<pid>.<random>.tmp` in the same folder (rename is only
 * atomic within one file system), is fsynced, then renamed over `path`. On any failure, including
 * an error thrown by a chunk iterator, the temp file is removed and an existing `path` is left as
 * it was. Strings are written as UTF-8.
 *
 * @throws Error naming `path`, with the original error as `cause`
 */
export async function writeFileAtomic(path: string, content: AtomicContent): Promise<void> {
  const tmp = join(dirname(path), `${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  try {
    // 'wx' so a (very unlikely) name collision fails instead of two writers sharing one temp file.
    fh = await open(tmp, 'wx');
    if (typeof content === 'string' || content instanceof Uint8Array) {
      await fh.writeFile(content);
    } else {
      // FileHandle.writeFile continues from the current position, so chunks append in order.
      for await (const chunk of content) await fh.writeFile(chunk);
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw new Error(`writeFileAtomic ${path}: ${messageOf(err)}; any existing file was left untouched`, { cause: err });
  }
  await syncDir(dirname(path));
}

/** Makes the rename itself durable across a power cut. Best effort: Windows cannot open folders. */
async function syncDir(dir: string): Promise<void> {
  let dh: FileHandle | undefined;
  try {
    dh = await open(dir, 'r');
    await dh.sync();
  } catch {
    // The file is already in place; only crash durability of the rename is lost.
  } finally {
    await dh?.close().catch(() => undefined);
  }
}

/**
 * Writes `value` as JSON (with a trailing newline) atomically, see `writeFileAtomic`.
 *
 * @param indent - spaces per nesting level; 0 for one line
 * @throws TypeError when `value` has no JSON form (`undefined`, a function)
 */
export async function writeJsonAtomic(path: string, value: unknown, indent = 2): Promise<void> {
  const text = JSON.stringify(value, null, indent) as string | undefined;
  if (text === undefined) throw new TypeError(`writeJsonAtomic ${path}: value of type ${typeof value} has no JSON form`);
  await writeFileAtomic(path, `${text}\n`);
}

/**
 * Writes `value` as MessagePack atomically, see `writeFileAtomic`. Typed arrays keep their type
 * (msgpackr `moreTypes`; plain `pack` would turn a Float32Array into raw bytes); records are off,
 * so any MessagePack reader can decode the file.
 */
export async function writeMsgpackAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, new Packr({ useRecords: false, moreTypes: true }).pack(value));
}

/**
 * Reads a MessagePack file written by `writeMsgpackAtomic`. The result is untrusted input:
 * validate it before use.
 *
 * @throws Error naming `path` when it cannot be read or decoded
 */
export async function readMsgpack(path: string): Promise<unknown> {
  const bytes = await readFile(path);
  try {
    return unpack(bytes);
  } catch (err) {
    throw new Error(`readMsgpack ${path}: not valid MessagePack (${bytes.length} bytes): ${messageOf(err)}`, { cause: err });
  }
}

/** An error's message; duck-typed because errors from node's fs may come from another realm (e.g. under jest). */
function messageOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
}
