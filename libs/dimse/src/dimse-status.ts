import { storeFailureStatus } from '@pacs/index';
import type { IngestErrorCode } from '@pacs/index';

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

const INGEST_ERROR_CODES: ReadonlySet<string> = new Set<IngestErrorCode>([
  'unparsable', 'missing-attribute', 'invalid-uid', 'sop-class-mismatch', 'sop-instance-mismatch',
  'study-mismatch', 'sop-class-not-supported', 'too-large', 'out-of-space', 'duplicate-rejected', 'storage-failure',
]);

/**
 * C-STORE status for an ingest failure: the shared table of @pacs/index (the same values STOW-RS
 * reports). An unknown code becomes Processing failure, never a dropped association.
 */
export function statusForIngestError(code: IngestErrorCode | string | undefined): number {
  return code && INGEST_ERROR_CODES.has(code) ? storeFailureStatus(code as IngestErrorCode) : DimseStatus.ProcessingFailure;
}

/**
 * Error Comment (0000,0902) has VR LO: at most 64 characters, no backslash or control characters
 * (PS3.5 6.2); command sets use the default repertoire only (PS3.7 6.3.1), so ASCII.
 */
export const ERROR_COMMENT_MAX = 64;

/** Makes a message fit the Error Comment of a failure response (PS3.7 C, PS3.4 B.2.3). */
export function errorComment(message: string): string {
  const clean = message.replace(/[^\x20-\x5b\x5d-\x7e]/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length <= ERROR_COMMENT_MAX ? clean : `${clean.slice(0, ERROR_COMMENT_MAX - 3)}...`;
}
