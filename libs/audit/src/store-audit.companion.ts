import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import type { IngestCommitCompanion, IngestOutcome, IngestSource, RecoveredRemoval } from '@pacs/index';
import { AuditAction, AuditOutcome } from './audit-codes';
import { stagedEvent } from './audit-event';
import { AuditSealer } from './audit-sealer';
import { instanceStoredEvent } from './instances-stored';

/**
 * Stages the audit event of each ingested instance in the index write's own statement
 * (audit_stage, see IngestCommitCompanion): the event is durable in the same commit as the
 * instance, at no extra commit, and the sealer chains it right after. The event is the one
 * of instancesStoredEvent: per instance for C-STORE and `pacs import`; STOW-RS has one per
 * request instead, recorded by HttpAuditHook from its route's @Audited.
 */
@Injectable()
export class StoreAuditCompanion implements IngestCommitCompanion {
  readonly sqlFunction = 'audit_stage';
  private readonly enabled: boolean;

  constructor(
    private readonly sealer: AuditSealer,
    config: PacsConfig,
  ) {
    this.enabled = config.audit?.enabled !== false;
  }

  payload(instance: IngestOutcome, source: IngestSource): object | undefined {
    if (!this.enabled || source.channel === 'stow') return undefined;
    return stagedEvent(instanceStoredEvent(source, instance));
  }

  committed(): void {
    this.sealer.staged();
  }

  /** PS3.15 A.5.3.5 (DICOM Instances Deleted, here Study Deleted 110105 with its instance): by the archive itself. */
  removalPayload(removal: RecoveredRemoval): object | undefined {
    if (!this.enabled) return undefined;
    return stagedEvent({
      actor: 'pacs', actorType: 'system', action: AuditAction.StudyDeleted, actionCode: 'D', outcome: AuditOutcome.Success,
      patientId: removal.patientId, studyUids: [removal.studyUid],
      details: { reason: 'blob missing or incomplete after an unclean stop; the store was never acknowledged', blob: removal.blob, seriesUid: removal.seriesUid, sopInstanceUid: removal.sopInstanceUid },
    });
  }
}
