/**
 * The memory bound of a drop: a fixed number of slots, each owning one part buffer. A request
 * holds a slot from reading its bytes until S3 answers, so at most `concurrency` requests are in
 * flight and the buffers total `concurrency × part size`, whatever the model's size.
 */

/** One slot: its buffer grows to the largest part it carried and is reused after that. */
export interface Slot {
  /** A buffer of at least `size` bytes, owned by this slot until it is released. */
  buffer(size: number): Buffer;
}

export class UploadSlots {
  private readonly free: Slot[] = [];
  private readonly waiting: { resolve: (slot: Slot) => void; reject: (error: unknown) => void }[] = [];
  private closed: { reason: unknown } | undefined;

  constructor(concurrency: number, signal?: AbortSignal) {
    for (let i = 0; i < concurrency; i++) this.free.push(newSlot());
    signal?.addEventListener('abort', () => this.close(signal.reason));
  }

  /**
   * Refuses slots from now on (waiting and future requests reject with `reason`); requests that
   * hold a slot carry on. After a failure, what is under way still lands and can be resumed.
   */
  close(reason: unknown): void {
    this.closed ??= { reason };
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.closed.reason);
  }

  /** Waits for a free slot, first come first served; rejects once closed or aborted. */
  acquire(): Promise<Slot> {
    if (this.closed) return Promise.reject(this.closed.reason);
    const slot = this.free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next.resolve(slot);
    else this.free.push(slot);
  }
}

function newSlot(): Slot {
  let buffer: Buffer | undefined;
  return {
    buffer(size) {
      // Slow (unpooled) allocation: a part is megabytes, and it lives as long as the slot.
      if (!buffer || buffer.length < size) buffer = Buffer.allocUnsafeSlow(size);
      return buffer;
    },
  };
}
