import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A blob recorded for removal, and whether its instance's row references it again. */
export interface RecordedRemoval {
  blobKey: string;
  referenced: boolean;
}

/**
 * The table `blob_removals`: blobs no row references any more, each recorded by the transaction
 * that stopped referencing it (BlobRemovals1765320000000), until its file is gone.
 */
@Injectable()
export class BlobRemovalsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Up to `limit` records after key `after`, in byte order of the key. */
  async page(after: string, limit: number): Promise<RecordedRemoval[]> {
    const rows: { blob_key: string; referenced: boolean }[] = await this.dataSource.query(
      `SELECT r.blob_key, EXISTS (SELECT 1 FROM instances i WHERE i.sop_instance_uid = r.sop_instance_uid AND i.blob_key = r.blob_key) AS referenced
       FROM blob_removals r WHERE r.blob_key COLLATE "C" > $1 ORDER BY r.blob_key COLLATE "C" LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => ({ blobKey: r.blob_key, referenced: r.referenced }));
  }

  async count(): Promise<number> {
    const [row] = await this.dataSource.query('SELECT count(*)::int AS n FROM blob_removals');
    return row.n;
  }

  /**
   * Deletes these records. A record that survives a crash is only processed again
   * (idempotent), so the deletion need not wait for the WAL flush.
   */
  async forget(keys: string[]): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL synchronous_commit = off');
      await m.query('DELETE FROM blob_removals WHERE blob_key = ANY($1::text[])', [keys]);
    });
  }
}
