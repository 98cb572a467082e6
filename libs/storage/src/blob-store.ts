import { Readable, Writable } from 'node:stream';
import type { TempSweep, UnreferencedKeys } from './temp-area';

export type { TempSweep, UnreferencedKeys } from './temp-area';

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
 * under its key, `flush` makes it durable there. Until flush resolves the key may name bytes
 * that a crash would lose, so the ingest path commits the index row that references it only
 * after the flush. Every placement goes to a key never used before, and stays recorded as this
 * process's until `settle` (its row committed) or `remove`: after a crash, `sweepTemp` finds
 * exactly the blobs that may have no row.
 */
export abstract class BlobStore {
  abstract createTemp(): TempBlobWriter;
  /**
   * Moves a finished temporary blob under `key` (readable at once, not yet durable), a key not
   * used before, and records the placement until `settle` or `remove`.
   */
  abstract place(temp: TempBlob, key: string): Promise<void>;
  /** The index row referencing a placed blob committed: the placement record can go. */
  abstract settle(key: string): void;
  /** Makes a placed blob durable: fsync of the file and its directory. */
  abstract flush(temp: TempBlob, key: string): Promise<void>;
  abstract discardTemp(temp: TempBlob): Promise<void>;
  abstract read(key: string, range?: { start: number; end?: number }): Readable;
  /**
   * Reads the whole blob into the start of `target` and returns its length; fails when it does
   * not fit. For C-STORE sub-operations, which are sent from one buffer: reusing the buffer keeps
   * a retrieve from allocating (and the GC from chasing) one external buffer per instance.
   * `expected` (the size the index recorded) saves the read that would find the end.
   */
  abstract readInto(key: string, target: Buffer, expected?: number): Promise<number>;
  /**
   * Removes a blob (and its placement record, if this process placed it and has not settled it).
   * The removal is durable only after `flushRemovals`.
   */
  abstract remove(key: string): Promise<void>;
  /** Makes the removals of these keys durable (fsync of the directories that held them). */
  abstract flushRemovals(keys: string[]): Promise<void>;
  abstract exists(key: string): Promise<boolean>;
  /** The blob's size and last modification, undefined when there is no such blob. */
  abstract stat(key: string): Promise<BlobStat | undefined>;
  /** Every key in the store, in `compareKeys` order, one directory listed at a time. */
  abstract keys(): AsyncIterable<string>;
  abstract freeSpace(): Promise<{ freeBytes: number; totalBytes: number }>;
  /** Resolves when the store can be written to now; rejects with what is wrong (for /health). */
  abstract reachable(): Promise<void>;
  /**
   * Removes what processes proved dead left in the temporary area: temporary blobs, and the
   * blobs they placed that `unreferenced` says no index row references.
   */
  abstract sweepTemp(unreferenced: UnreferencedKeys): Promise<TempSweep>;
  /** Keys placed by processes still running (or that cannot be checked) whose rows may not have committed yet. */
  abstract placementsInFlight(): Promise<Set<string>>;
}

export interface BlobStat {
  size: number;
  modifiedMs: number;
}

/** A key as a store may use it: relative, never climbing out of the store. */
export function checkedKey(key: string): string {
  if (key.includes('..') || key.startsWith('/')) throw new Error(`invalid blob key ${key}`);
  return key;
}

/** The order of `BlobStore.keys()`: '/'-separated segments compared one by one, by code unit. */
export function compareKeys(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}
