import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import type { IngestCommitCompanion, IngestOutcome, IngestSource, StagedAuditEvent } from '@pacs/index';
import { stagedEvent } from './audit-event';
import { AuditSealer } from './audit-sealer';
import { instanceStoredEvent } from './instances-stored';

/**
 * Stages the audit event of each ingested instance in the index write's own statement
 * (IngestCommitCompanion; libs/audit/sql/audit_stage.sql): the event is durable in the same
 * commit as the instance, at no extra commit, and the sealer chains it right after. The event is
 * the one of instancesStoredEvent: per instance for C-STORE and `pacs import`; STOW-RS has one per
 * request instead, recorded by HttpAuditHook from its route's @Audited.
 */
@Injectable()
export class StoreAuditCompanion implements IngestCommitCompanion {
  private readonly enabled: boolean;

  constructor(
    private readonly sealer: AuditSealer,
    config: PacsConfig,
  ) {
    this.enabled = config.audit?.enabled !== false;
  }

  payload(instance: IngestOutcome, source: IngestSource): StagedAuditEvent | undefined {
    if (!this.enabled || source.channel === 'stow') return undefined;
    return stagedEvent(instanceStoredEvent(source, instance));
  }

  committed(): void {
    this.sealer.staged();
  }
}
