import { Readable, Writable } from 'node:stream';

/** A fully written, fsynced temporary blob, not yet visible under a key. */
export interface TempBlob {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** A temporary blob being written: a Writable that hashes and counts what passes through it. */
export interface TempBlobWriter extends Writable {
  readonly path: string;
  readonly bytesWritten: number;
  /** Ends the stream, waits for it, fsyncs the file and returns the blob. */
  finish(): Promise<TempBlob>;
  /** Destroys the stream and removes the file. Safe to call more than once. */
  discard(): Promise<void>;
}

/**
 * Where instance bytes live. Blobs are written to a temporary place first and committed
 * under their key only when fsynced, so a key never names a half-written blob.
 */
export abstract class BlobStore {
  abstract createTemp(): TempBlobWriter;
  /** Makes a temporary blob durable under `key` (rename + fsync of the directory). */
  abstract commit(temp: TempBlob, key: string): Promise<void>;
  abstract discardTemp(temp: TempBlob): Promise<void>;
  abstract read(key: string, range?: { start: number; end?: number }): Readable;
  abstract remove(key: string): Promise<void>;
  abstract exists(key: string): Promise<boolean>;
  abstract freeSpace(): Promise<{ freeBytes: number; totalBytes: number }>;
}
