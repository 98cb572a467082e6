import { isValidUid } from '@pacs/dicom';
import type { StoredInstance } from '@pacs/index';
import { DimseFailure, type DicomAttributes } from '../providers/dimse-providers';
import { DimseStatus } from '@pacs/errors';

/** PS3.4 J.3.1: Storage Commitment Push Model SOP Class and its well-known SOP Instance. */
export const STORAGE_COMMITMENT_SOP_CLASS = '1.2.840.10008.1.20.1';
export const STORAGE_COMMITMENT_SOP_INSTANCE = '1.2.840.10008.1.20.1.1';

/** PS3.4 J.3.2.1: Action Type ID of Request Storage Commitment. */
export const REQUEST_STORAGE_COMMITMENT = 1;
/** PS3.4 J.3.3.1: Event Type IDs of the result. */
export const COMMITMENT_SUCCESSFUL = 1;
export const COMMITMENT_FAILURES_EXIST = 2;

/** PS3.4 J.3.3.1.1: Failure Reason (0008,1197) values used here. */
export const FailureReason = {
  NoSuchObjectInstance: 0x0112,
  ClassInstanceConflict: 0x0119,
} as const;

/** Instances one N-ACTION asks us to commit to (PS3.4 J.3.2.1.1). */
export interface CommitmentRequest {
  transactionUid: string;
  references: { sopClassUid: string; sopInstanceUid: string }[];
}

/** The N-EVENT-REPORT that answers it (PS3.4 J.3.3.1). */
export interface CommitmentReport {
  eventTypeId: number;
  attributes: DicomAttributes;
  committed: number;
  failed: number;
}

/** Most references one request may carry: each becomes a parameter of one index query. */
export const MAX_REFERENCES = 50_000;

/** A UI value without its padding, or undefined when it is not a valid UID. */
function uid(value: unknown): string | undefined {
  const text = typeof value === 'string' ? value.replace(/\0/g, '').trim() : undefined;
  return text && isValidUid(text) ? text : undefined;
}

/**
 * The N-ACTION-RQ's data set checked against PS3.4 J.3.2.1.1: a Transaction UID and a non-empty
 * Referenced SOP Sequence, each item with both UIDs. Throws DimseFailure (PS3.7 C.5 statuses).
 */
export function parseCommitmentRequest(attributes: DicomAttributes): CommitmentRequest {
  const transactionUid = uid(attributes.TransactionUID);
  if (attributes.TransactionUID === undefined) throw new DimseFailure(DimseStatus.MissingAttribute, 'Transaction UID (0008,1195) missing');
  if (!transactionUid) throw new DimseFailure(DimseStatus.InvalidAttributeValue, 'Transaction UID (0008,1195) is not a UID');
  const items = attributes.ReferencedSOPSequence;
  if (!Array.isArray(items) || items.length === 0) throw new DimseFailure(DimseStatus.MissingAttribute, 'Referenced SOP Sequence (0008,1199) missing or empty');
  if (items.length > MAX_REFERENCES) throw new DimseFailure(DimseStatus.ResourceLimitation, `at most ${MAX_REFERENCES} references per request`);
  const references = items.map((item: DicomAttributes, n: number) => {
    const sopClassUid = uid(item?.ReferencedSOPClassUID);
    const sopInstanceUid = uid(item?.ReferencedSOPInstanceUID);
    if (!sopClassUid || !sopInstanceUid) {
      throw new DimseFailure(DimseStatus.InvalidAttributeValue, `Referenced SOP Sequence item ${n + 1}: Referenced SOP Class and Instance UIDs required`);
    }
    return { sopClassUid, sopInstanceUid };
  });
  return { transactionUid, references };
}

/**
 * The result (PS3.4 J.3.3.1): a reference is committed when an instance with that UID and SOP
 * class is stored (stored means durable: a store is acknowledged only then). Others fail with
 * No such object instance, or Class/Instance conflict when the UID is stored under another class.
 */
export function commitmentReport(request: CommitmentRequest, stored: StoredInstance[], retrieveAeTitle: string): CommitmentReport {
  const classOf = new Map(stored.map((s) => [s.sopInstanceUid, s.sopClassUid]));
  const committed: DicomAttributes[] = [];
  const failed: DicomAttributes[] = [];
  for (const ref of request.references) {
    const item = { ReferencedSOPClassUID: ref.sopClassUid, ReferencedSOPInstanceUID: ref.sopInstanceUid };
    const storedClass = classOf.get(ref.sopInstanceUid);
    if (storedClass === ref.sopClassUid) committed.push({ ...item, RetrieveAETitle: retrieveAeTitle });
    else failed.push({ ...item, FailureReason: storedClass === undefined ? FailureReason.NoSuchObjectInstance : FailureReason.ClassInstanceConflict });
  }
  const attributes: DicomAttributes = { TransactionUID: request.transactionUid, RetrieveAETitle: retrieveAeTitle };
  // J.3.3.1: the Referenced SOP Sequence only when something was committed, the Failed SOP Sequence only with failures.
  if (committed.length > 0) attributes.ReferencedSOPSequence = committed;
  if (failed.length > 0) attributes.FailedSOPSequence = failed;
  return { eventTypeId: failed.length > 0 ? COMMITMENT_FAILURES_EXIST : COMMITMENT_SUCCESSFUL, attributes, committed: committed.length, failed: failed.length };
}
