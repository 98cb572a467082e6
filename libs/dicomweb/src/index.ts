// Public API of @pacs/dicomweb.
export { DicomWebModule } from './dicomweb.module';
export { DicomWebErrorsFilter } from './dicomweb-errors.filter';
export { DicomWebError } from './dicomweb.errors';
export type { DicomWebErrorCode } from './dicomweb.errors';
export { FailureReason, failureReasonOf } from './failure-reason';
export type { StowFailure } from './failure-reason';
