import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { BlobStore, TempSweep } from '@pacs/storage';
import { BlobRemovals } from './blob-removals';
import { companionCall } from './companion-call';
import { DeletionService } from './deletion.service';
import { INGEST_COMMIT_COMPANION, IngestCommitCompanion, RecoveredRemoval } from './ingest.types';

/**
 * Provide `false` under this token to skip the start-up recovery: for a command that only
 * reports (`pacs storage verify`), which must not change what it reports on.
 */
export const RECOVER_AT_START = Symbol('RECOVER_AT_START');

/** In-flight stores are bounded by the association cap and HTTP concurrency: far below this. */
const RECHECKED_ROWS = 256;
/** Rows written this long before the newest cannot have had a flush outstanding at a crash. */
const RECHECK_WINDOW = '60 seconds';
/** Above this many bytes the remaining rows get a size check only, so a start stays quick. */
const HASH_BUDGET_BYTES = 512 * 1024 * 1024;

interface RecentRow {
  sop_instance_uid: string;
  blob_key: string;
  size_bytes: string;
  sha256: string;
  series_uid: string;
  study_uid: string;
  patient_id: string;
}

/**
 * Start-up after an unclean stop: first what processes that are gone left in the temp area
 * (temporary files, and blobs placed whose rows never committed: BlobStore.sweepTemp), then
 * the newest rows against their blobs (below), then blobs recorded for removal that a crash
 * kept from going (BlobRemovals). Only work of processes proved dead is touched, so this is
 * also safe when `pacs` starts beside a running server.
 *
 * A new instance's index row commits while its blob is still being flushed (IngestService), so
 * a crash or power loss can leave a row whose file lost its last writes. Only the newest rows
 * can be such: at start-up they are checked against their blobs (size, and SHA-256 within a
 * budget, both recorded at ingest), and a row whose blob is missing or differs is deleted. It
 * was never acknowledged (the acknowledgement waits for the flush), so the sender still has it.
 * Its store event is in the audit trail, so the removal goes there too (the commit companion's
 * removal event, in the same transaction).
 */
@Injectable()
export class IngestRecovery implements OnModuleInit {
  private readonly log = new Logger('IngestRecovery');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly blobs: BlobStore,
    private readonly deletion: DeletionService,
    private readonly removals: BlobRemovals,
    @Optional() @Inject(INGEST_COMMIT_COMPANION) private readonly companion?: IngestCommitCompanion,
    @Optional() @Inject(RECOVER_AT_START) private readonly recoverAtStart?: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.recoverAtStart === false) return;
    await this.sweepTemp();
    await this.recheckNewest();
    const removed = await this.removals.removePending();
    if (removed > 0) this.log.warn({ removed }, 'removed blobs that no row references, left by an unclean stop');
  }

  async sweepTemp(): Promise<TempSweep> {
    const swept = await this.blobs.sweepTemp((keys) => this.removals.unreferenced(keys));
    if (swept.tempFiles + swept.blobsRemoved > 0) {
      this.log.warn({ tempFiles: swept.tempFiles, blobsWithoutRow: swept.blobsRemoved }, 'removed files left by a process that stopped uncleanly');
    }
    return swept;
  }

  /** Returns how many rows were removed. */
  async recheckNewest(): Promise<number> {
    const rows: RecentRow[] = await this.dataSource.query(
      `SELECT i.sop_instance_uid, i.blob_key, i.size_bytes, i.sha256, se.series_uid, st.study_uid, p.patient_id
       FROM instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk
       JOIN patients p ON p.id = st.patient_pk
       WHERE i.created_at >= (SELECT max(created_at) FROM instances) - interval '${RECHECK_WINDOW}'
       ORDER BY i.id DESC LIMIT $1`,
      [RECHECKED_ROWS],
    );
    let budget = HASH_BUDGET_BYTES;
    let removed = 0;
    for (const row of rows) {
      const size = Number(row.size_bytes);
      const hash = budget >= size;
      if (hash) budget -= size;
      const verdict = await this.check(row, size, hash);
      if (verdict === 'intact') continue;
      this.log.warn({ sopInstanceUid: row.sop_instance_uid, studyUid: row.study_uid, blob: verdict }, 'index row without its complete blob after an unclean stop: removed');
      await this.remove(row, verdict);
      removed++;
    }
    return removed;
  }

  private async remove(row: RecentRow, blob: RecoveredRemoval['blob']): Promise<void> {
    const removal = { studyUid: row.study_uid, seriesUid: row.series_uid, sopInstanceUid: row.sop_instance_uid, patientId: row.patient_id, blob };
    const payload = this.companion?.removalPayload?.(removal);
    const alsoCommit = companionCall(this.companion, payload);
    await this.deletion.delete({ studyUid: row.study_uid, seriesUid: row.series_uid, sopInstanceUid: row.sop_instance_uid }, alsoCommit);
    if (alsoCommit) this.companion?.committed();
  }

  /** Only a missing or different blob condemns a row; a read error leaves it alone (and logged). */
  private async check(row: RecentRow, size: number, hash: boolean): Promise<'intact' | 'missing' | 'different'> {
    try {
      const actual = (await this.blobs.stat(row.blob_key))?.size;
      if (actual === undefined) return 'missing';
      if (actual !== size) return 'different';
      if (!hash) return 'intact';
      const digest = createHash('sha256');
      for await (const chunk of this.blobs.read(row.blob_key)) digest.update(chunk as Buffer);
      return digest.digest('hex') === row.sha256 ? 'intact' : 'different';
    } catch (err) {
      this.log.error({ sopInstanceUid: row.sop_instance_uid, err: (err as Error).message }, 'could not re-check a recent blob');
      return 'intact';
    }
  }
}
