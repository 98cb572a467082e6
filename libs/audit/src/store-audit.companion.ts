import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import type { IndexTransaction, IngestCommitCompanion, IngestOutcome, IngestSource } from '@pacs/index';
import type { StagedEvent } from './audit-event';
import { AuditRepository } from './audit.repository';
import { AuditSealer } from './audit-sealer';
import { instanceStoredEvent } from './instances-stored';

/**
 * Stages the audit event of each ingested instance in the index transaction
 * (IngestCommitCompanion): the event is durable in the same commit as the instance, at no
 * extra commit, and the sealer chains it right after. The event is the one
 * of instancesStoredEvent: per instance for C-STORE and `pacs import`; STOW-RS has one per
 * request instead, recorded by HttpAuditHook from its route's @Audited.
 */
@Injectable()
export class StoreAuditCompanion implements IngestCommitCompanion<StagedEvent> {
  private readonly enabled: boolean;

  constructor(
    private readonly sealer: AuditSealer,
    private readonly repository: AuditRepository,
    config: PacsConfig,
  ) {
    this.enabled = config.audit?.enabled !== false;
  }

  payload(instance: IngestOutcome, source: IngestSource): StagedEvent | undefined {
    // STOW-RS and de-identified copies have one event per request, from their route's @Audited.
    if (!this.enabled || source.channel === 'stow' || source.channel === 'deidentify') return undefined;
    return this.repository.staged(instanceStoredEvent(source, instance));
  }

  write(tx: IndexTransaction, events: StagedEvent[]): Promise<void> {
    return this.repository.stageIn(tx, events);
  }

  committed(): void {
    this.sealer.staged();
  }
}
