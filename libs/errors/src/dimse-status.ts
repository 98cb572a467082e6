import type { ErrorCode, IngestErrorCode } from './error-codes';

/**
 * DIMSE status codes (0000,0900) used by this server. General statuses are defined in
 * PS3.7 Annex C; service-specific ones in PS3.4 (C-STORE: B.2.3, C-FIND: C.4.1.1.4,
 * C-MOVE: C.4.2.1.5, C-GET: C.4.3.1.4).
 */
export const DimseStatus = {
  /** PS3.7 C.1: Success. */
  Success: 0x0000,
  /** PS3.4 B.2.3: Warning, Coercion of Data Elements. */
  CoercionOfDataElements: 0xb000,
  /** PS3.4 B.2.3: Warning, Elements Discarded. */
  ElementsDiscarded: 0xb006,
  /** PS3.4 B.2.3: Warning, Data Set does not match SOP Class. */
  DataSetDoesNotMatchSopClassWarning: 0xb007,
  /** PS3.4 B.2.3: Error, Data Set does not match SOP Class (A9xx). */
  DataSetDoesNotMatchSopClass: 0xa900,
  /** PS3.4 B.2.3: Refused, Out of Resources (A7xx). */
  OutOfResources: 0xa700,
  /**
   * PS3.4 B.2.3: Refused, Out of Resources (A7xx), the value dcm4chee-arc gives a "subsequent
   * occurrence of a rejected object": an instance an IOCM Rejection Note rejected, sent again.
   */
  SubsequentOccurrenceOfRejectedObject: 0xa771,
  /** PS3.4 C.4.2.1.5: Refused, Move Destination unknown. */
  MoveDestinationUnknown: 0xa801,
  /** PS3.4 B.2.3: Error, Cannot understand (Cxxx). */
  CannotUnderstand: 0xc000,
  /** PS3.7 C.5: Failure, Refused: Not Authorized. */
  RefusedNotAuthorized: 0x0124,
  /** PS3.7 C.5: Failure, Refused: SOP Class not supported. */
  SopClassNotSupported: 0x0122,
  /** PS3.7 C.5: Failure, Duplicate SOP Instance. */
  DuplicateSopInstance: 0x0111,
  /** PS3.7 C.5: Failure, Processing failure. */
  ProcessingFailure: 0x0110,
  /** PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4: Failure, Unable to process (Cxxx). */
  UnableToProcess: 0xc000,
  /** PS3.4 C.4.1.1.4: Failure, Identifier does not match SOP Class. */
  IdentifierDoesNotMatchSopClass: 0xa900,
  /** PS3.4 C.4.2.1.5, C.4.3.1.4: Refused, Out of Resources, unable to calculate number of matches. */
  OutOfResourcesMatches: 0xa701,
  /** PS3.4 C.4.2.1.5, C.4.3.1.4: Refused, Out of Resources, unable to perform sub-operations. */
  OutOfResourcesSubOperations: 0xa702,
  /** PS3.4 C.4.2.1.5, C.4.3.1.4: Warning, sub-operations complete, one or more failures or warnings. */
  SubOperationsCompleteWithFailures: 0xb000,
  /** PS3.4 C.4.1.1.4: Pending, optional keys not supported. */
  PendingOptionalKeysNotSupported: 0xff01,
  /** PS3.7 C.5: Failure, No such attribute. */
  NoSuchAttribute: 0x0105,
  /** PS3.7 C.5: Failure, Invalid attribute value. */
  InvalidAttributeValue: 0x0106,
  /** PS3.7 C.5: Failure, No such SOP Instance (no such object instance). */
  NoSuchObjectInstance: 0x0112,
  /** PS3.7 C.5: Failure, Invalid object instance. */
  InvalidObjectInstance: 0x0117,
  /** PS3.7 C.5: Failure, No such SOP Class. */
  NoSuchSopClass: 0x0118,
  /** PS3.7 C.5: Failure, Missing attribute. */
  MissingAttribute: 0x0120,
  /** PS3.7 C.5: Failure, Missing attribute value. */
  MissingAttributeValue: 0x0121,
  /** PS3.7 C.5: Failure, No such action (N-ACTION). */
  NoSuchAction: 0x0123,
  /** PS3.7 C.5: Failure, Unrecognized operation: not one of those agreed for the SOP class (its DIMSE service group). */
  UnrecognizedOperation: 0x0211,
  /** PS3.7 C.5: Failure, Mistyped argument: a parameter of the request is not usable (as dcm4che answers a request without SOP Class UID). */
  MistypedArgument: 0x0212,
  /** PS3.7 C.5: Failure, Resource limitation. */
  ResourceLimitation: 0x0213,
  /** PS3.4 F.7.2.2: Failure, Performed Procedure Step Object may no longer be updated. */
  ProcedureStepNoLongerUpdatable: 0xc310,
  /** PS3.7 C.3: Cancel. */
  Cancel: 0xfe00,
  /** PS3.7 C.2: Pending. */
  Pending: 0xff00,
} as const;

/** The codes that end in a C-STORE status, and in the same Failure Reason of a STOW-RS part. */
export type StoreFailureCode = IngestErrorCode | Extract<ErrorCode, 'unsupported-part-type' | 'processing-failure'>;

/**
 * The one map from error code to DIMSE status (dicom-server's FailureReasonCodes). C-STORE
 * answers with it (PS3.4 B.2.3, PS3.7 C.5) and STOW-RS reports the same values as Failure
 * Reason (0008,1197) of the failed instance (PS3.18 10.5.3).
 */
const STORE_FAILURE_STATUS: Record<StoreFailureCode, number> = {
  unparsable: DimseStatus.CannotUnderstand, // the bytes are not a parsable data set
  'unsupported-part-type': DimseStatus.CannotUnderstand, // not a DICOM data set at all
  // A required attribute is missing, malformed, or contradicts what was announced.
  'missing-attribute': DimseStatus.DataSetDoesNotMatchSopClass,
  'invalid-uid': DimseStatus.DataSetDoesNotMatchSopClass,
  'sop-class-mismatch': DimseStatus.DataSetDoesNotMatchSopClass,
  'sop-instance-mismatch': DimseStatus.DataSetDoesNotMatchSopClass,
  'study-mismatch': DimseStatus.DataSetDoesNotMatchSopClass,
  'sop-class-not-supported': DimseStatus.SopClassNotSupported,
  'duplicate-rejected': DimseStatus.DuplicateSopInstance,
  'instance-rejected': DimseStatus.SubsequentOccurrenceOfRejectedObject,
  'too-large': DimseStatus.OutOfResources,
  'out-of-space': DimseStatus.OutOfResources,
  'storage-failure': DimseStatus.OutOfResources,
  'processing-failure': DimseStatus.ProcessingFailure,
};

/**
 * DIMSE status of an error code. Anything else (another code, an unexpected error) becomes
 * Processing failure: a status, never a dropped association.
 */
export function dimseStatusOf(code: string | undefined): number {
  return code !== undefined && Object.hasOwn(STORE_FAILURE_STATUS, code) ? STORE_FAILURE_STATUS[code as StoreFailureCode] : DimseStatus.ProcessingFailure;
}
