import { Writable } from 'node:stream';
import type { TempBlob, TempBlobWriter } from '@pacs/storage';

/** What a finished C-STORE data transfer left behind. */
export type SinkOutcome =
  | { kind: 'stored'; temp: TempBlob }
  | { kind: 'too-large'; received: number }
  | { kind: 'failed'; error: Error }
  | { kind: 'refused' } // the calling AE lacks the store right: nothing was written
  | { kind: 'dropped' }; // abandoned (abort, closed connection)

/**
 * The Writable dcmjs-dimse streams one C-STORE data set into (GOTCHAS: bare data set, no
 * preamble or File Meta). It writes the Part 10 header first, then forwards the bytes to a
 * temporary blob. Past `maxBytes` it discards the blob and drops the rest, so an oversized
 * instance costs no disk. Without a blob it drops everything and completes with `refusal`.
 * dcmjs-dimse ends this stream itself, so the blob is finished in `complete()` (ingest makes it durable).
 */
export class StoreSink extends Writable {
  private received = 0;
  private failure: SinkOutcome | undefined;
  private pendingDone: (() => void) | undefined;
  private readonly ended: Promise<void>;

  constructor(
    private readonly temp: TempBlobWriter | null,
    header: Buffer,
    private readonly maxBytes: number,
    refusal: SinkOutcome = { kind: 'refused' },
  ) {
    // The library waits for 'drain' only on the first PDV of a data set: keep a generous buffer.
    super({ highWaterMark: 1 << 20 });
    this.ended = new Promise((resolve) => this.once('finish', resolve));
    if (!temp) {
      this.failure = refusal;
      return;
    }
    temp.on('error', (error: Error) => this.fail({ kind: 'failed', error }));
    temp.write(header);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.failure) return done();
    this.received += chunk.length;
    if (this.received > this.maxBytes) {
      this.fail({ kind: 'too-large', received: this.received });
      return done();
    }
    if (this.temp!.write(chunk)) return done();
    this.pendingDone = () => done();
    this.temp!.once('drain', () => this.releasePending());
  }

  /** Waits until the library ended the stream, then finishes the blob. */
  async complete(): Promise<SinkOutcome> {
    await this.ended;
    if (this.failure) return this.failure;
    try {
      return { kind: 'stored', temp: await this.temp!.finish() };
    } catch (err) {
      await this.temp!.discard();
      return { kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  /** Frees the blob of a transfer that will never complete (abort, closed connection). */
  async abandon(): Promise<void> {
    this.failure ??= { kind: 'dropped' };
    this.releasePending();
    await this.temp?.discard();
  }

  private fail(outcome: SinkOutcome): void {
    if (this.failure) return;
    this.failure = outcome;
    void this.temp?.discard();
    this.releasePending();
  }

  private releasePending(): void {
    const done = this.pendingDone;
    this.pendingDone = undefined;
    done?.();
  }
}
