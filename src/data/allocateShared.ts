/**
 * A zero-filled `SharedArrayBuffer` of `bytes` bytes. Datasets live in shared memory so worker
 * threads can view the same pixels without a copy per worker.
 *
 * @param bytes - size in bytes, a non-negative safe integer
 * @throws RangeError when `bytes` is negative or not an integer
 */
export function allocateShared(bytes: number): SharedArrayBuffer {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`allocateShared: bytes must be a non-negative integer, got ${bytes}`);
  }
  return new SharedArrayBuffer(bytes);
}

/** A zero-filled `Uint8Array` of `length` bytes over a fresh `SharedArrayBuffer`. */
export function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(allocateShared(length));
}

/** A zero-filled `Int32Array` of `length` elements over a fresh `SharedArrayBuffer`. */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(allocateShared(length * Int32Array.BYTES_PER_ELEMENT));
}
