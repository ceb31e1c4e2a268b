/**
 * A counter of work units allowed to exist at once (chunk buffers in flight, waiting to be
 * reordered, or held in unreleased batches). RxJS pushes; this is how a slow consumer pushes back
 * (FFCV's `batches_ahead`, tf.data's prefetch ring).
 */
export class Credits {
  private used = 0;

  constructor(
    readonly limit: number,
    private readonly onRelease: () => void,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`credits must be an integer >= 1, got ${limit}`);
  }

  /** Takes one credit if any is free. */
  tryTake(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  /** Returns one credit and wakes the producer. */
  give(): void {
    this.used--;
    this.onRelease();
  }

  /** Credits currently taken. */
  get inUse(): number {
    return this.used;
  }
}
