// Public API of @pacs/errors: the error vocabulary and its two status tables. Imports nothing,
// so every module can use it.
export { DomainError } from './domain-error';
export type { AuthErrorCode, CorrectionErrorCode, DeidErrorCode, DicomWebErrorCode, ErrorCode, IndexErrorCode, IngestErrorCode, JobErrorCode, MppsErrorCode, PeerErrorCode, RoutingErrorCode, WorklistErrorCode } from './error-codes';
export { httpStatusOf } from './http-status';
export { DimseStatus, dimseStatusOf } from './dimse-status';
export type { StoreFailureCode } from './dimse-status';
