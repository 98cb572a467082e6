import { Injectable, Logger } from '@nestjs/common';
import { GroupCommit } from '@pacs/database';
import { BlobStore } from '@pacs/storage';
import { BlobRemovalsRepository } from './blob-removals.repository';
import { InstancesRepository } from './instances.repository';

/** Records looked at per round when removing what a crash left. */
const PAGE = 500;

/**
 * Removes the blobs that no row references any more. Each is recorded in `blob_removals` by the
 * transaction that stopped referencing it (BlobRemovals1765320000000); after the commit its
 * file goes, then (once that is durable) its record. A crash in between leaves the record, and `removePending` (at
 * start-up, and `pacs storage verify --fix`) finishes the job.
 */
@Injectable()
export class BlobRemovals {
  private readonly log = new Logger('BlobRemovals');
  private readonly forgets = new GroupCommit<string, void>((keys) => this.forget(keys), PAGE);

  constructor(
    private readonly records: BlobRemovalsRepository,
    private readonly instances: InstancesRepository,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Removes the files of keys whose removal a transaction recorded and committed just now;
   * their records are deleted in the background. Returns how many files could not be removed
   * (their records stay, for the next start).
   */
  async removeCommitted(keys: string[]): Promise<number> {
    let failed = 0;
    for (const key of keys) {
      try {
        await this.blobs.remove(key);
        this.forgets.add(key).catch(() => undefined); // a record left behind is removed at the next start
      } catch (err) {
        failed++;
        this.log.error({ key, err: (err as Error).message }, 'could not remove a blob no row references');
      }
    }
    return failed;
  }

  /**
   * Removes every recorded blob whose instance row does not reference it, and its record.
   * Returns how many were removed.
   */
  async removePending(): Promise<number> {
    let removed = 0;
    let after = '';
    for (;;) {
      const rows = await this.records.page(after, PAGE);
      if (rows.length === 0) return removed;
      after = rows[rows.length - 1].blobKey;
      const done: string[] = [];
      for (const row of rows) {
        if (row.referenced) {
          this.log.error({ key: row.blobKey }, 'a blob recorded for removal is referenced by its instance: kept');
        } else {
          const failed = await this.blobs.remove(row.blobKey).then(
            () => false,
            (err: Error) => (this.log.error({ key: row.blobKey, err: err.message }, 'could not remove a blob no row references'), true),
          );
          if (failed) continue;
          removed++;
        }
        done.push(row.blobKey);
      }
      await this.forget(done);
    }
  }

  /** The keys among these that no instance row references (a scan of the instances: for rare paths only). */
  unreferenced(keys: string[]): Promise<Set<string>> {
    return this.instances.unreferenced(keys);
  }

  pending(): Promise<number> {
    return this.records.count();
  }

  /**
   * Deletes the records of removed blobs, once their removal is durable: a power loss must not
   * keep a file and lose its record.
   */
  private async forget(keys: string[]): Promise<void[]> {
    if (keys.length > 0) {
      await this.blobs.flushRemovals(keys);
      await this.records.forget(keys);
    }
    return keys.map(() => undefined);
  }
}
