import type { IngestErrorCode } from '@pacs/index';

/**
 * Failure Reason (0008,1197) values of a STOW-RS response (PS3.18 10.5.3),
 * which reuses the C-STORE statuses of PS3.4 B.2.3 and the general statuses of PS3.7 Annex C.
 */
export const FailureReason = {
  /** PS3.7 Annex C (general status): Processing failure. */
  ProcessingFailure: 0x0110,
  /** PS3.7 Annex C (general status): Duplicate SOP Instance. */
  DuplicateSopInstance: 0x0111,
  /** PS3.7 Annex C (general status): Refused, SOP Class not supported. */
  SopClassNotSupported: 0x0122,
  /** PS3.4 B.2.3: Refused, out of resources. */
  OutOfResources: 0xa700,
  /** PS3.4 B.2.3: Error, Data Set does not match SOP Class. */
  DataSetDoesNotMatchSopClass: 0xa900,
  /** PS3.4 B.2.3: Error, cannot understand. */
  CannotUnderstand: 0xc000,
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

/** Why one STOW-RS part failed: an ingest error, or a problem found before ingest. */
export type StowFailure =
  | IngestErrorCode
  | 'unsupported-part-type' // part Content-Type is not application/dicom (PS3.18 10.5.2)
  | 'write-failed' // the part could not be written to temporary storage
  | 'processing-failure'; // an unexpected error while ingesting

/** The one mapping from a STOW-RS failure to its Failure Reason. */
export function failureReasonOf(failure: StowFailure): FailureReason {
  switch (failure) {
    case 'unparsable':
    case 'unsupported-part-type':
      return FailureReason.CannotUnderstand;
    case 'missing-attribute':
    case 'invalid-uid':
    case 'sop-class-mismatch':
    case 'sop-instance-mismatch':
    case 'study-mismatch':
      return FailureReason.DataSetDoesNotMatchSopClass;
    case 'sop-class-not-supported':
      return FailureReason.SopClassNotSupported;
    case 'duplicate-rejected':
      return FailureReason.DuplicateSopInstance;
    case 'too-large':
    case 'storage-failure':
    case 'write-failed':
      return FailureReason.OutOfResources;
    case 'processing-failure':
      return FailureReason.ProcessingFailure;
    default:
      return assertNever(failure);
  }
}

function assertNever(value: never): never {
  throw new Error(`unmapped STOW failure ${String(value)}`);
}
