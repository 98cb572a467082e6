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
 * Where instance bytes live. Blobs are written to a temporary place first; commit moves one
 * under its key and makes it durable. Until commit resolves the key may name bytes that a crash
 * would lose, which is safe because nothing refers to a key before that: the index row is
 * written after commit, and an overwrite goes to a fresh key.
 */
export abstract class BlobStore {
  abstract createTemp(): TempBlobWriter;
  /** Makes a temporary blob durable under `key`: rename, then fsync of the file and its directory. */
  abstract commit(temp: TempBlob, key: string): Promise<void>;
  abstract discardTemp(temp: TempBlob): Promise<void>;
  abstract read(key: string, range?: { start: number; end?: number }): Readable;
  abstract remove(key: string): Promise<void>;
  abstract exists(key: string): Promise<boolean>;
  abstract freeSpace(): Promise<{ freeBytes: number; totalBytes: number }>;
  /** Removes temporary blobs a crash left behind (older than the given age); returns how many. */
  abstract sweepTemp(olderThanMs?: number): Promise<number>;
}
