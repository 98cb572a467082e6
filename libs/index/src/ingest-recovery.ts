import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { BlobStore, TempSweep } from '@pacs/storage';
import { BlobRemovals } from './blob-removals';

/**
 * Provide `false` under this token to skip the start-up recovery: for a command that only
 * reports (`pacs storage verify`), which must not change what it reports on.
 */
export const RECOVER_AT_START = Symbol('RECOVER_AT_START');

/**
 * Start-up after an unclean stop. An index row commits only once its blob is durable
 * (IndexRepository), so a crash leaves no row to judge: a store in flight rolled back, and what
 * remains is files. First what processes that are gone left in the temp area (temporary files,
 * and blobs placed whose rows never committed: BlobStore.sweepTemp), then blobs recorded for
 * removal that a crash kept from going (BlobRemovals). Only work of processes proved dead is
 * touched, so this is also safe when `pacs` starts beside a running server.
 */
@Injectable()
export class IngestRecovery implements OnModuleInit {
  private readonly log = new Logger('IngestRecovery');

  constructor(
    private readonly blobs: BlobStore,
    private readonly removals: BlobRemovals,
    @Optional() @Inject(RECOVER_AT_START) private readonly recoverAtStart?: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.recoverAtStart === false) return;
    await this.sweepTemp();
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
}
