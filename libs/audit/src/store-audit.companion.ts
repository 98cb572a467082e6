import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import type { IngestCommitCompanion, IngestOutcome, IngestSource, RecoveredRemoval } from '@pacs/index';
import { AuditAction, AuditOutcome } from './audit-codes';
import { AuditEventInput, stagedEvent } from './audit-event';
import { AuditSealer } from './audit-sealer';
import { storedInstanceEvent } from './dimse-auditor';

/**
 * Stages the audit event of each ingested instance in the index write's own statement
 * (audit_stage, see IngestCommitCompanion): the event is durable in the same commit as the
 * instance, at no extra commit, and the sealer chains it right after. C-STORE gets its
 * Instances Transferred event (PS3.15 A.5.3.4), `pacs import` its Import event (A.5.3.6);
 * STOW-RS keeps its per-request DICOMweb event (HttpAuditHook).
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
    const input = this.enabled ? eventFor(instance, source) : undefined;
    return input && stagedEvent(input);
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

function eventFor(instance: IngestOutcome, source: IngestSource): AuditEventInput | undefined {
  if (source.channel === 'dimse') {
    return storedInstanceEvent({ callingAe: source.actor ?? '', remoteAddress: source.remoteAddress }, instance);
  }
  if (source.channel === 'import') {
    return {
      actor: source.actor ?? 'cli', actorType: 'system', action: AuditAction.Import, actionCode: 'C', outcome: AuditOutcome.Success,
      patientId: instance.patientId, studyUids: [instance.studyUid], details: { sopInstanceUid: instance.sopInstanceUid, result: instance.result },
    };
  }
  return undefined;
}
