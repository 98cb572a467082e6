import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { GroupCommit } from '@pacs/database';
import { BlobStore } from '@pacs/storage';
import { DataSource } from 'typeorm';

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
    @InjectDataSource() private readonly dataSource: DataSource,
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
      const rows: { blob_key: string; referenced: boolean }[] = await this.dataSource.query(
        `SELECT r.blob_key, EXISTS (SELECT 1 FROM instances i WHERE i.sop_instance_uid = r.sop_instance_uid AND i.blob_key = r.blob_key) AS referenced
         FROM blob_removals r WHERE r.blob_key COLLATE "C" > $1 ORDER BY r.blob_key COLLATE "C" LIMIT ${PAGE}`,
        [after],
      );
      if (rows.length === 0) return removed;
      after = rows[rows.length - 1].blob_key;
      const done: string[] = [];
      for (const row of rows) {
        if (row.referenced) {
          this.log.error({ key: row.blob_key }, 'a blob recorded for removal is referenced by its instance: kept');
        } else {
          const failed = await this.blobs.remove(row.blob_key).then(
            () => false,
            (err: Error) => (this.log.error({ key: row.blob_key, err: err.message }, 'could not remove a blob no row references'), true),
          );
          if (failed) continue;
          removed++;
        }
        done.push(row.blob_key);
      }
      await this.forget(done);
    }
  }

  /** The keys among these that no instance row references (a scan of the instances: for rare paths only). */
  async unreferenced(keys: string[]): Promise<Set<string>> {
    const rows: { key: string }[] = await this.dataSource.query(
      'SELECT k AS key FROM unnest($1::text[]) k WHERE NOT EXISTS (SELECT 1 FROM instances i WHERE i.blob_key = k)',
      [keys],
    );
    return new Set(rows.map((r) => r.key));
  }

  async pending(): Promise<number> {
    const [row] = await this.dataSource.query('SELECT count(*)::int AS n FROM blob_removals');
    return row.n;
  }

  /**
   * Deletes the records of removed blobs, once their removal is durable: a power loss must not
   * keep a file and lose its record. A record that survives is only processed again
   * (idempotent), so its deletion need not wait for the WAL flush.
   */
  private async forget(keys: string[]): Promise<void[]> {
    if (keys.length > 0) {
      await this.blobs.flushRemovals(keys);
      await this.dataSource.transaction(async (m) => {
        await m.query('SET LOCAL synchronous_commit = off');
        await m.query('DELETE FROM blob_removals WHERE blob_key = ANY($1::text[])', [keys]);
      });
    }
    return keys.map(() => undefined);
  }
}
