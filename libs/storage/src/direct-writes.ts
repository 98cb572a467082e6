import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Direct writes move whole blocks: file offsets, lengths and memory on 4 KiB boundaries. */
export const BLOCK_BYTES = 4096;
/** A blob's bytes staged before each direct write: one write for most instances, steps of this size for larger ones. */
export const SLOT_BYTES = 1 << 20;
/** Blobs written directly at once; more than this (rare: one per transfer in progress) are written through the page cache. */
const SLOT_COUNT = 32;
const WASM_PAGE_BYTES = 64 * 1024;

/** The part of the WebAssembly global used here: @types/node 20 does not declare it (lib "dom" would). */
declare const WebAssembly: { Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer } };

/**
 * Staging memory for direct (O_DIRECT) writes of blob files, which bypass the page cache: the
 * kernel moves the bytes to the disk from this memory instead of copying them into cache pages
 * first. A blob is written once and rarely read soon, so caching it only pushes out pages that
 * are read (PostgreSQL's among them). Where cache pages are costly to get, each new page cost
 * about ten times its copy on this kind of virtual machine (the host backs every page the guest
 * touches for the first time: 0.7 s of CPU per 500 MB written against 0.06 s into reused pages;
 * docs/benchmarks.md, session 18), direct writes take most of that CPU off the ingest.
 *
 * Node has no aligned Buffers; WebAssembly memory starts on a page boundary, so its slots of
 * SLOT_BYTES are aligned. The memory is reserved once and its pages are touched only as slots
 * are first used.
 */
export class AlignedSlots {
  private memory: { readonly buffer: ArrayBuffer } | undefined;
  private readonly free: number[] = [];
  private next = 0;

  /** A free slot, or undefined when all are in use. */
  take(): Buffer | undefined {
    const index = this.free.pop() ?? (this.next < SLOT_COUNT ? this.next++ : undefined);
    if (index === undefined) return undefined;
    this.memory ??= new WebAssembly.Memory({ initial: (SLOT_COUNT * SLOT_BYTES) / WASM_PAGE_BYTES });
    return Buffer.from(this.memory.buffer, index * SLOT_BYTES, SLOT_BYTES);
  }

  /** Returns a slot taken from here; its memory must no longer be in use by any write. */
  give(slot: Buffer): void {
    this.free.push(slot.byteOffset / SLOT_BYTES);
  }
}

/** Flags of a new blob file written directly; undefined where the platform has no O_DIRECT. */
export const DIRECT_CREATE_FLAGS =
  constants.O_DIRECT === undefined ? undefined : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT;

/**
 * Whether files in `dir` take direct writes: not every filesystem does (some FUSE and network
 * filesystems, tmpfs before Linux 6.6) and some fail only at the first write. One block is
 * written from a slot and the file removed. Returns the reason when they do not.
 */
export function probeDirectWrites(dir: string, slots: AlignedSlots): string | undefined {
  if (DIRECT_CREATE_FLAGS === undefined) return 'O_DIRECT is not available on this platform';
  const slot = slots.take();
  if (!slot) return 'no staging memory';
  const path = join(dir, `direct-write-probe-${process.pid}`);
  try {
    const fd = openSync(path, DIRECT_CREATE_FLAGS);
    try {
      writeSync(fd, slot, 0, BLOCK_BYTES, 0);
    } finally {
      closeSync(fd);
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    slots.give(slot);
    rmSync(path, { force: true });
  }
}
