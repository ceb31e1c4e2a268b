// sharp's maintainers advise loading it in the main thread too (glibc), so it is never unloaded
// when a worker exits; corruptDataset does that before creating workers.
import { corruptChunk, type CorruptChunkSpec } from '../ops/corruptions/corruptChunk.ts';

/** Piscina entry: corrupts one chunk into the shared output buffer. */
export default async function (spec: CorruptChunkSpec): Promise<void> {
  await corruptChunk(spec);
}
