import { Readable, Writable } from 'node:stream';

/** A fully written temporary blob, not yet durable nor visible under a key. */
export interface TempBlob {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** The first bytes of the blob (up to 64 KiB), when the writer kept them. */
  readonly head?: Buffer;
}

/** A temporary blob being written: a Writable that hashes and counts what passes through it. */
export interface TempBlobWriter extends Writable {
  readonly path: string;
  readonly bytesWritten: number;
  /** Ends the stream, waits for it, closes the file and returns the blob (durable only once committed). */
  finish(): Promise<TempBlob>;
  /** Destroys the stream and removes the file. Safe to call more than once. */
  discard(): Promise<void>;
}

/**
 * Where instance bytes live. Blobs are written to a temporary place first; `place` moves one
 * under its key, `flush` makes it durable there (`commit` is both). Until flush resolves the key
 * may name bytes that a crash would lose: the ingest path either writes the index row after
 * commit, or (a new instance) commits the row while the blob flushes and re-checks recent blobs
 * at start-up (IngestRecovery); an overwrite always goes to a fresh key.
 */
export abstract class BlobStore {
  abstract createTemp(): TempBlobWriter;
  /** Moves a finished temporary blob under `key` (readable at once, not yet durable). */
  abstract place(temp: TempBlob, key: string): Promise<void>;
  /** Makes a placed blob durable: fsync of the file and its directory. */
  abstract flush(temp: TempBlob, key: string): Promise<void>;
  /** place, then flush. */
  async commit(temp: TempBlob, key: string): Promise<void> {
    await this.place(temp, key);
    await this.flush(temp, key);
  }
  abstract discardTemp(temp: TempBlob): Promise<void>;
  abstract read(key: string, range?: { start: number; end?: number }): Readable;
  /**
   * Reads the whole blob into the start of `target` and returns its length; fails when it does
   * not fit. For C-STORE sub-operations, which are sent from one buffer: reusing the buffer keeps
   * a retrieve from allocating (and the GC from chasing) one external buffer per instance.
   * `expected` (the size the index recorded) saves the read that would find the end.
   */
  abstract readInto(key: string, target: Buffer, expected?: number): Promise<number>;
  abstract remove(key: string): Promise<void>;
  abstract exists(key: string): Promise<boolean>;
  /** The blob's size in bytes, undefined when there is no such blob. */
  abstract size(key: string): Promise<number | undefined>;
  abstract freeSpace(): Promise<{ freeBytes: number; totalBytes: number }>;
  /** Removes temporary blobs a crash left behind (older than the given age); returns how many. */
  abstract sweepTemp(olderThanMs?: number): Promise<number>;
}
