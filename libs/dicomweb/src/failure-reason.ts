import { StoreFailureStatus, storeFailureStatus } from '@pacs/index';
import type { IngestErrorCode } from '@pacs/index';

/**
 * Failure Reason (0008,1197) values of a STOW-RS response (PS3.18 10.5.3): the C-STORE statuses
 * of PS3.4 B.2.3 and PS3.7 Annex C, from the one table in @pacs/index.
 */
export const FailureReason = StoreFailureStatus;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

/** Why one STOW-RS part failed: an ingest error, or a problem found before ingest. */
export type StowFailure =
  | IngestErrorCode
  | 'unsupported-part-type' // part Content-Type is not application/dicom (PS3.18 10.5.2)
  | 'write-failed' // the part could not be written to temporary storage
  | 'processing-failure'; // an unexpected error while ingesting

/** Failure Reason of a STOW-RS part: the shared ingest table, plus the failures found before ingest. */
export function failureReasonOf(failure: StowFailure): FailureReason {
  switch (failure) {
    case 'unsupported-part-type':
      return FailureReason.CannotUnderstand;
    case 'write-failed':
      return FailureReason.OutOfResources;
    case 'processing-failure':
      return FailureReason.ProcessingFailure;
    default:
      return storeFailureStatus(failure) as FailureReason;
  }
}
