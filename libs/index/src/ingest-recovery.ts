import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { BlobStore, TempSweep } from '@pacs/storage';
import { BlobRemovals } from './blob-removals';
import { companionCall } from './companion-call';
import { DeletionService } from './deletion.service';
import { InstanceBlobRow, InstancesRepository } from './instances.repository';
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
    private readonly instances: InstancesRepository,
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
    const rows = await this.instances.newest(RECHECK_WINDOW, RECHECKED_ROWS);
    let budget = HASH_BUDGET_BYTES;
    let removed = 0;
    for (const row of rows) {
      const size = row.sizeBytes;
      const hash = budget >= size;
      if (hash) budget -= size;
      const verdict = await this.check(row, size, hash);
      if (verdict === 'intact') continue;
      this.log.warn({ sopInstanceUid: row.sopInstanceUid, studyUid: row.studyUid, blob: verdict }, 'index row without its complete blob after an unclean stop: removed');
      await this.remove(row, verdict);
      removed++;
    }
    return removed;
  }

  private async remove(row: InstanceBlobRow, blob: RecoveredRemoval['blob']): Promise<void> {
    const removal = { studyUid: row.studyUid, seriesUid: row.seriesUid, sopInstanceUid: row.sopInstanceUid, patientId: row.patientId, blob };
    const payload = this.companion?.removalPayload?.(removal);
    const alsoCommit = companionCall(this.companion, payload);
    await this.deletion.delete({ studyUid: row.studyUid, seriesUid: row.seriesUid, sopInstanceUid: row.sopInstanceUid }, alsoCommit);
    if (alsoCommit) this.companion?.committed();
  }

  /** Only a missing or different blob condemns a row; a read error leaves it alone (and logged). */
  private async check(row: InstanceBlobRow, size: number, hash: boolean): Promise<'intact' | 'missing' | 'different'> {
    try {
      const actual = (await this.blobs.stat(row.blobKey))?.size;
      if (actual === undefined) return 'missing';
      if (actual !== size) return 'different';
      if (!hash) return 'intact';
      const digest = createHash('sha256');
      for await (const chunk of this.blobs.read(row.blobKey)) digest.update(chunk as Buffer);
      return digest.digest('hex') === row.sha256 ? 'intact' : 'different';
    } catch (err) {
      this.log.error({ sopInstanceUid: row.sopInstanceUid, err: (err as Error).message }, 'could not re-check a recent blob');
      return 'intact';
    }
  }
}
