import type { ErrorCode } from './error-codes';

/**
 * The one map from error code to HTTP status (dicom-server's ExceptionHandlingMiddleware switch).
 * DICOMweb statuses follow each transaction's table in PS3.18 (8.5 for those common to all);
 * the others RFC 9110 15.5 (client errors) and 15.6 (server errors). A request that fails for
 * the server's reasons (full disk, broken storage) gets a 5xx, never a 4xx: the sender may retry
 * it unchanged.
 */
const HTTP_STATUS: Record<ErrorCode, number> = {
  // Ingest: the status of a request refused for this one reason (PS3.18 10.5.3 Table 10.5.3-1).
  unparsable: 400, // bad syntax
  'missing-attribute': 400,
  'invalid-uid': 400,
  'sop-class-mismatch': 409, // well formed, but in conflict with what the request announced
  'sop-instance-mismatch': 409,
  'study-mismatch': 409, // PS3.18 10.5.3 names it: Study Instance UID mismatch
  'sop-class-not-supported': 409, // PS3.18 10.5.3 names it: unsupported SOP Class
  'duplicate-rejected': 409, // RFC 9110 15.5.10: conflicts with the stored instance
  'instance-rejected': 409, // conflicts with its rejection (restore it first)
  'too-large': 413,
  'out-of-space': 507, // RFC 4918 11.5 Insufficient Storage: the server cannot store it now
  'storage-failure': 503, // PS3.18 8.5: the origin server cannot handle the request (temporary)
  // Index: PS3.18 10.4.3 (retrieve) and 10.6.3 (search).
  'not-found': 404,
  'bad-query': 400,
  // DICOMweb request (PS3.18 8.3.4, 8.7.3, 10.5.2).
  'bad-request': 400,
  'request-aborted': 400, // the client's doing, not a server fault
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'unsupported-part-type': 415,
  'not-acceptable': 406,
  // Users and login.
  'invalid-user': 400,
  'user-exists': 409,
  'user-not-found': 404,
  'too-many-attempts': 429, // RFC 6585 4, with Retry-After
  'invalid-credentials': 401,
  unauthenticated: 401,
  forbidden: 403,
  'audit-unavailable': 500,
  // Peers.
  'invalid-peer': 400,
  'peer-exists': 409,
  'peer-not-found': 404,
  // Worklist items.
  'invalid-worklist-item': 400,
  'worklist-item-not-found': 404,
  'worklist-conflict': 409,
  // Procedure steps (PS3.18 15.6.3: 404 for an unknown step).
  'mpps-not-found': 404,
  // Corrections.
  'invalid-correction': 400,
  'correction-conflict': 409,
  // De-identification.
  'deid-not-configured': 409, // the server's state (no secret) conflicts with the request
  'deid-refused': 422, // RFC 9110 15.5.21: understood, but this content cannot be processed
  // Jobs and forwarding rules.
  'job-not-found': 404,
  'job-conflict': 409,
  'invalid-routing-rule': 400,
  'routing-rule-exists': 409,
  'routing-rule-not-found': 404,
  'webhook-not-found': 404,
  'processing-failure': 500,
};

/** HTTP status of an error code; 500 for a string that is no code of the vocabulary. */
export function httpStatusOf(code: string): number {
  return Object.hasOwn(HTTP_STATUS, code) ? HTTP_STATUS[code as ErrorCode] : 500;
}
