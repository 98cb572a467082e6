import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import type { IngestSource, RejectedInstance, RejectionAudit } from '@pacs/index';
import { AuditAction, AuditOutcome } from './audit-codes';
import { AuditService } from './audit.service';
import { actorOf } from './instances-stored';

/**
 * The audit events of IHE IOCM (REJECTION_AUDIT of @pacs/index), one per study:
 * - a Rejection Note applied: DICOM Instances Accessed (110103) with action Delete (PS3.15
 *   A.5.3.2: instances "viewed, utilized, updated, or deleted"): the instances are deleted for
 *   every user while their bytes stay, so neither Study Deleted (the study usually remains)
 *   nor Instances Transferred fits; the actor is the note's sender. A restore is the same event
 *   with action Update, declared on its route.
 * - deleted for good after retention: DICOM Study Deleted (110105, A.5.3.3), as every deletion,
 *   by the archive itself (its AE title).
 */
@Injectable()
export class RejectionAuditor implements RejectionAudit {
  constructor(
    private readonly audit: AuditService,
    private readonly config: PacsConfig,
  ) {}

  async rejected(instances: RejectedInstance[], source: IngestSource): Promise<void> {
    for (const study of byStudy(instances)) {
      await this.audit.record({
        ...actorOf(source),
        action: AuditAction.InstancesAccessed,
        actionCode: 'D',
        outcome: AuditOutcome.Success,
        patientId: study[0].patientId,
        studyUids: [study[0].studyUid],
        details: {
          rejection: { code: study[0].reasonCode, scheme: 'DCM', meaning: study[0].reasonMeaning },
          rejectionNoteUid: study[0].rejectionNoteUid,
          sopInstanceUids: study.map((i) => i.sopInstanceUid),
        },
      });
    }
  }

  async expired(instances: RejectedInstance[]): Promise<void> {
    for (const study of byStudy(instances)) {
      await this.audit.record({
        actor: this.config.dimse.aeTitle,
        actorType: 'system',
        action: AuditAction.StudyDeleted,
        actionCode: 'D',
        outcome: AuditOutcome.Success,
        patientId: study[0].patientId,
        studyUids: [study[0].studyUid],
        details: { reason: 'rejection retention expired', sopInstanceUids: study.map((i) => i.sopInstanceUid) },
      });
    }
  }
}

function byStudy(instances: RejectedInstance[]): RejectedInstance[][] {
  const studies = new Map<string, RejectedInstance[]>();
  for (const i of instances) studies.set(i.studyUid, [...(studies.get(i.studyUid) ?? []), i]);
  return [...studies.values()];
}
