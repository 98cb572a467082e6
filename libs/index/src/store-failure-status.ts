import { IngestErrorCode } from './index.errors';

/**
 * Status values for an instance that was not stored. C-STORE answers with them (PS3.4 B.2.3,
 * PS3.7 Annex C) and STOW-RS reports the same values as Failure Reason (0008,1197) (PS3.18
 * 10.5.3), so both edges use this one table.
 */
export const StoreFailureStatus = {
  /** PS3.7 C.5: Processing failure. */
  ProcessingFailure: 0x0110,
  /** PS3.7 C.5: Duplicate SOP Instance (PACS_DUPLICATE_POLICY=reject). */
  DuplicateSopInstance: 0x0111,
  /** PS3.7 C.5: Refused, SOP Class not supported. */
  SopClassNotSupported: 0x0122,
  /** PS3.4 B.2.3: Refused, Out of Resources. */
  OutOfResources: 0xa700,
  /** PS3.4 B.2.3: Error, Data Set does not match SOP Class: a required attribute is missing,
   *  malformed, or contradicts what was announced. */
  DataSetDoesNotMatchSopClass: 0xa900,
  /** PS3.4 B.2.3: Error, Cannot understand: the bytes are not a parsable data set. */
  CannotUnderstand: 0xc000,
} as const;

export function storeFailureStatus(code: IngestErrorCode): number {
  switch (code) {
    case 'unparsable':
      return StoreFailureStatus.CannotUnderstand;
    case 'missing-attribute':
    case 'invalid-uid':
    case 'sop-class-mismatch':
    case 'sop-instance-mismatch':
    case 'study-mismatch':
      return StoreFailureStatus.DataSetDoesNotMatchSopClass;
    case 'sop-class-not-supported':
      return StoreFailureStatus.SopClassNotSupported;
    case 'duplicate-rejected':
      return StoreFailureStatus.DuplicateSopInstance;
    case 'too-large':
    case 'out-of-space':
    case 'storage-failure':
      return StoreFailureStatus.OutOfResources;
    default: {
      const unmapped: never = code;
      return unmapped;
    }
  }
}
