import type { DimseAuditContext, DimseAuditor } from '@pacs/audit';
import { DimseStatus } from '@pacs/errors';
import type { DicomAttributes } from '../providers/dimse-providers';

/** The DIMSE operations (besides C-ECHO and C-STORE) that leave an audit event. */
export type AuditedOperation = 'find' | 'move' | 'get' | 'mpps-create' | 'mpps-set';

const MODALITY_WORKLIST_FIND = '1.2.840.10008.5.1.4.31';

/**
 * Records one finished operation before its final response goes out (PS3.15 A.5.3: Query for
 * C-FIND and worklist queries, Instances Transferred for C-MOVE/C-GET, Procedure Record for
 * MPPS); a refusal by the AE policy is a Security Alert instead. The subject (patient, studies)
 * comes from the request's identifier.
 */
export function auditOperation(
  auditor: DimseAuditor,
  ctx: DimseAuditContext,
  operation: AuditedOperation,
  sopClassUid: string,
  status: number,
  identifier: DicomAttributes | undefined,
): Promise<unknown> {
  const service = operation === 'find' && sopClassUid === MODALITY_WORKLIST_FIND ? 'worklist' : operation.startsWith('mpps') ? 'mpps' : operation;
  if (status === DimseStatus.RefusedNotAuthorized) return auditor.denied(ctx, service);
  const facts = { status, studyUids: studyUidsOf(identifier), patientId: stringOf(identifier?.PatientID), details: { sopClassUid } };
  switch (operation) {
    case 'find':
      return auditor.query(ctx, { ...facts, service: service === 'worklist' ? 'worklist' : 'find' });
    case 'move':
    case 'get':
      return auditor.retrieve(ctx, { ...facts, service: operation });
    case 'mpps-create':
      return auditor.procedureStep(ctx, { ...facts, studyUids: mppsStudyUids(identifier), actionCode: 'C' });
    case 'mpps-set':
      return auditor.procedureStep(ctx, { ...facts, studyUids: mppsStudyUids(identifier), actionCode: 'U' });
  }
}

/** Study Instance UID key: one UID, a "\\"-separated list, or an array (UID list matching). */
function studyUidsOf(identifier: DicomAttributes | undefined): string[] | undefined {
  const value = identifier?.StudyInstanceUID;
  const list = (Array.isArray(value) ? value : String(value ?? '').split('\\')).map((v) => String(v).trim()).filter(Boolean);
  return list.length > 0 ? list : undefined;
}

/** MPPS names its study inside the Scheduled Step Attributes Sequence (PS3.4 F.7.2.1). */
function mppsStudyUids(attributes: DicomAttributes | undefined): string[] | undefined {
  const items = attributes?.ScheduledStepAttributesSequence;
  const list = Array.isArray(items) ? items : items ? [items] : [];
  const uids = list.flatMap((item) => studyUidsOf(item as DicomAttributes) ?? []);
  return uids.length > 0 ? [...new Set(uids)] : undefined;
}

function stringOf(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() ? first.trim() : undefined;
}
