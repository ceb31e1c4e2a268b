import type { Image } from '../image.ts';

/**
 * What a corruption computes from the clean image alone, kept while the same image comes back:
 * corruptChunk runs the five severities of an image one after another, so work that does not
 * depend on the severity is done once per image. The image is recognised by its shape and its
 * bytes (a copy is held), so another image, the same bytes in another shape, or other bytes in
 * the same buffer, start afresh.
 */
export class ImageMemo {
  private width = 0;
  private height = 0;
  private channels = 0;
  private data = new Uint8Array(0);
  private readonly values = new Map<string, unknown>();

  /** Keeps what was computed if `img` is the image last seen; otherwise forgets it all. */
  see(img: Image): void {
    const held = this.data;
    const s = img.data;
    let same = img.width === this.width && img.height === this.height && img.channels === this.channels && held.length === s.length;
    for (let i = 0; same && i < s.length; i++) same = held[i] === s[i];
    if (same) return;
    this.width = img.width;
    this.height = img.height;
    this.channels = img.channels;
    if (held.length === s.length) held.set(s);
    else this.data = s.slice();
    this.values.clear();
  }

  /** The value under `key` for the image last seen, made by `make` the first time. */
  get<T>(key: string, make: () => T): T {
    let v = this.values.get(key) as T | undefined;
    if (v === undefined) this.values.set(key, (v = make()));
    return v;
  }
}
