const KiB = 1024;
const MiB = 1024 * KiB;

export interface ResponseBufferLimits {
  /** Largest body sent from one buffer; larger ones are streamed. */
  largest: number;
  /** Bytes of all buffers together, lent and free. */
  total: number;
}

/**
 * 8 connections (the yardstick's wrk load) hold at most 8 buffers; a radiograph or a small
 * multi-frame still fits one. The total is the most this can ever take.
 */
const DEFAULT_LIMITS: ResponseBufferLimits = { largest: 8 * MiB, total: 64 * MiB };
/** Sizes are rounded up to this, so that one buffer serves instances of similar size. */
const GRAIN = 256 * KiB;

/** What lend() needs of a response (Node's ServerResponse): whether and how it closed. */
export interface ClosingResponse {
  readonly closed: boolean;
  readonly writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Buffers that each hold one instance while its response leaves, reused from one request to
 * the next. Sending an instance from one buffer costs one file read and one socket write where
 * a read stream costs a read, a push and a write per 256 KiB, and reusing the buffer keeps V8
 * from collecting (and the VM from backing anew) a half-megabyte allocation per request.
 * Memory stays bounded: when the buffers already take `total` bytes, lend() declines and the
 * caller streams the instance instead.
 */
export class ResponseBuffers {
  private readonly free: Buffer[] = [];
  private held = 0;

  constructor(private readonly limits: ResponseBufferLimits = DEFAULT_LIMITS) {}

  /**
   * A buffer of at least `size` bytes for the body of `response`, undefined when none can be
   * lent (too large, too many lent, or the response closed already). It comes back when the
   * response closes: reused once the whole response was handed to the socket (an error answered
   * instead counts too), left to the garbage collector when the connection was cut, since the
   * socket may still be reading it.
   */
  lend(size: number, response: ClosingResponse): Buffer | undefined {
    if (response.closed) return undefined;
    const buffer = this.take(size);
    if (!buffer) return undefined;
    response.once('close', () => {
      if (response.writableFinished) this.free.push(buffer);
      else this.held -= buffer.length;
    });
    return buffer;
  }

  /** Bytes of all buffers, lent and free. */
  get heldBytes(): number {
    return this.held;
  }

  private take(size: number): Buffer | undefined {
    if (size > this.limits.largest) return undefined;
    const fit = this.free.findIndex((buffer) => buffer.length >= size);
    if (fit >= 0) return this.free.splice(fit, 1)[0];
    const length = Math.ceil(size / GRAIN) * GRAIN;
    while (this.held + length > this.limits.total && this.free.length > 0) this.held -= this.free.pop()!.length;
    if (this.held + length > this.limits.total) return undefined;
    this.held += length;
    return Buffer.allocUnsafeSlow(length);
  }
}
