// Public API of @pacs/dicomweb.
export { DicomWebModule } from './dicomweb.module';
export { DicomWebError, dicomWebErrorToHttp } from './dicomweb.errors';
export type { DicomWebErrorCode } from './dicomweb.errors';
export { FailureReason, failureReasonOf } from './failure-reason';
export type { StowFailure } from './failure-reason';
