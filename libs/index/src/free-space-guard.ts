import { BlobStore } from '@pacs/storage';
import { IngestError } from './index.errors';

/** How long a free-space reading is trusted: one statfs per second, not one per instance. */
const REFRESH_MS = 1000;

/**
 * Refuses stores while the blob store's filesystem has less free space than configured. A disk
 * that fills up completely stops the database as well (PostgreSQL cannot write its WAL), and with
 * it queries and retrieves of everything already stored; refusing early keeps those working and
 * tells the sender why (PS3.4 B.2.3: A700 Refused, Out of Resources). Stores resume by themselves
 * within a second of space being freed.
 */
export class FreeSpaceGuard {
  private freeBytes = Number.POSITIVE_INFINITY;
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<number> | undefined;

  constructor(
    private readonly blobs: BlobStore,
    private readonly minFreeBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws out-of-space, naming `instance`, when the filesystem is below the minimum. */
  async check(instance?: { sopClassUid: string; sopInstanceUid: string }): Promise<void> {
    const free = this.now() - this.readAt < REFRESH_MS ? this.freeBytes : await this.read();
    if (free < this.minFreeBytes) {
      throw new IngestError('out-of-space', `storage full: ${mib(free)} MiB free, ${mib(this.minFreeBytes)} MiB required`, instance);
    }
  }

  private read(): Promise<number> {
    this.reading ??= this.blobs
      .freeSpace()
      .then(({ freeBytes }) => {
        this.freeBytes = freeBytes;
        this.readAt = this.now();
        return freeBytes;
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }
}

function mib(bytes: number): number {
  return Math.floor(bytes / (1024 * 1024));
}
