/**
 * What a corruption computes from the clean image alone, kept while the same image comes back:
 * corruptChunk runs the five severities of an image one after another, so work that does not
 * depend on the severity is done once per image. The image is recognised by its bytes (a copy is
 * held), so another image, or other bytes in the same buffer, start afresh.
 */
export class ImageMemo {
  private image = new Uint8Array(0);
  private readonly values = new Map<string, unknown>();

  /** Keeps what was computed if `img` holds the bytes last seen; otherwise forgets it all. */
  see(img: Uint8Array): void {
    const held = this.image;
    let same = held.length === img.length;
    for (let i = 0; same && i < img.length; i++) same = held[i] === img[i];
    if (same) return;
    if (held.length === img.length) held.set(img);
    else this.image = img.slice();
    this.values.clear();
  }

  /** The value under `key` for the image last seen, made by `make` the first time. */
  get<T>(key: string, make: () => T): T {
    let v = this.values.get(key) as T | undefined;
    if (v === undefined) this.values.set(key, (v = make()));
    return v;
  }
}
