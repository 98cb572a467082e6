import { closeSync, openSync, write, writev } from 'node:fs';
import { promisify } from 'node:util';
import { AlignedSlots, BLOCK_BYTES, DIRECT_CREATE_FLAGS, SLOT_BYTES } from './direct-writes';

const writeAsync = promisify(write);
const writevAsync = promisify(writev);

/**
 * Bytes gathered before a write through the page cache is issued. Most instances (a 512 KB CT)
 * then reach the file in one writev after their last PDV instead of a queue of small writes,
 * each a trip through the libuv pool (profiled: ~1.5 ms per instance on one association);
 * larger ones stream in steps of this size, so memory stays bounded per transfer.
 */
const GATHER_BYTES = 1 << 20;

/**
 * A temp blob's file as its bytes arrive. The file is created at the first write, so a blob that
 * never gets data costs no descriptor. Writes run one at a time, in order; a descriptor is
 * closed only after the write running on it, or its number could be reused under that write.
 */
export interface BlobFile {
  /** Takes the next chunks; resolves once they may be given again (staged or written). */
  add(chunks: Buffer[], bytes: number): Promise<void>;
  /** Writes what is left and returns the file's descriptor, still open: the caller closes it. */
  end(): Promise<number>;
  /** Closes what is open once the write in flight is over (the blob is being discarded). */
  release(): Promise<void>;
}

/** Direct writes from a staging slot when one is free, else writes through the page cache. */
export function openBlobFile(path: string, slots: AlignedSlots | undefined): BlobFile {
  const slot = slots?.take();
  return slot && slots ? new DirectFile(path, slot, slots) : new GatheredFile(path);
}

/** Writes through the page cache: chunks are gathered and written in one writev per GATHER_BYTES. */
class GatheredFile implements BlobFile {
  private fd: number | undefined;
  private released = false;
  private writing: Promise<void> = Promise.resolve();
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;

  constructor(private readonly path: string) {}

  async add(chunks: Buffer[], bytes: number): Promise<void> {
    this.gathered.push(...chunks);
    this.gatheredBytes += bytes;
    if (this.gatheredBytes >= GATHER_BYTES) await this.writeGathered();
  }

  async end(): Promise<number> {
    await this.writeGathered();
    const fd = this.open();
    this.fd = undefined; // the caller's now
    return fd;
  }

  async release(): Promise<void> {
    this.released = true;
    await this.writing.catch(() => undefined);
    if (this.fd !== undefined) closeQuietly(this.fd);
    this.fd = undefined;
  }

  private async writeGathered(): Promise<void> {
    const buffers = this.gathered;
    const expected = this.gatheredBytes;
    this.gathered = [];
    this.gatheredBytes = 0;
    const fd = this.open();
    if (buffers.length === 0) return;
    this.writing = writevAsync(fd, buffers).then(({ bytesWritten }) => checkWritten(this.path, bytesWritten, expected));
    await this.writing;
  }

  private open(): number {
    if (this.released) throw discardedError(this.path);
    this.fd ??= openSync(this.path, 'wx');
    return this.fd;
  }
}

/**
 * Writes around the page cache (see AlignedSlots): chunks are copied into the slot, each full
 * slot is written directly, and at the end the whole blocks left are written directly and the
 * last partial block through the page cache on a second descriptor (a direct write moves whole
 * blocks only, and padding then truncating would make the kernel read the block back).
 */
class DirectFile implements BlobFile {
  private fd: number | undefined;
  private writing: Promise<void> = Promise.resolve();
  private staged = 0;
  private written = 0;
  private slotHeld = true;
  private released = false;

  constructor(
    private readonly path: string,
    private readonly slot: Buffer,
    private readonly slots: AlignedSlots,
  ) {}

  async add(chunks: Buffer[]): Promise<void> {
    for (const chunk of chunks) {
      for (let from = 0; from < chunk.length; ) {
        const copied = chunk.copy(this.slot, this.staged, from);
        from += copied;
        this.staged += copied;
        if (this.staged === SLOT_BYTES) await this.writeStaged(SLOT_BYTES, this.direct());
      }
    }
  }

  async end(): Promise<number> {
    try {
      const whole = this.staged - (this.staged % BLOCK_BYTES);
      let fd = this.direct();
      if (whole > 0) await this.writeStaged(whole, fd);
      if (this.staged > 0) {
        if (this.released) throw discardedError(this.path);
        const tail = openSync(this.path, 'r+');
        closeQuietly(fd);
        this.fd = fd = tail;
        await this.writeStaged(this.staged, fd);
      }
      this.fd = undefined; // the caller's now
      return fd;
    } finally {
      this.giveSlot();
    }
  }

  async release(): Promise<void> {
    this.released = true;
    await this.writing.catch(() => undefined);
    if (this.fd !== undefined) closeQuietly(this.fd);
    this.fd = undefined;
    this.giveSlot();
  }

  /** Writes the first `bytes` of the slot at the end of the file; what follows them moves to the front. */
  private async writeStaged(bytes: number, fd: number): Promise<void> {
    if (this.released) throw discardedError(this.path);
    this.writing = writeAsync(fd, this.slot, 0, bytes, this.written).then(({ bytesWritten }) => checkWritten(this.path, bytesWritten, bytes));
    await this.writing;
    this.written += bytes;
    this.slot.copy(this.slot, 0, bytes, this.staged);
    this.staged -= bytes;
  }

  private direct(): number {
    if (this.released) throw discardedError(this.path);
    this.fd ??= openSync(this.path, DIRECT_CREATE_FLAGS as number);
    return this.fd;
  }

  private giveSlot(): void {
    if (this.slotHeld) this.slots.give(this.slot);
    this.slotHeld = false;
  }
}

function discardedError(path: string): Error {
  return new Error(`${path} was discarded`);
}

function checkWritten(path: string, written: number, expected: number): void {
  // a regular file takes a whole write unless the disk is full
  if (written !== expected) throw new Error(`short write to ${path}: ${written} of ${expected} bytes`);
}

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed or never valid: nothing to release
  }
}
