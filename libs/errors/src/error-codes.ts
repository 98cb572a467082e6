/**
 * The error vocabulary of the server: every code a module may throw (as DomainError), grouped by
 * the module that throws it. A new code needs an HTTP status (http-status.ts); the compiler says so.
 */

/** Why an instance was not stored (C-STORE, STOW-RS, folder import). */
export type IngestErrorCode =
  | 'unparsable' // not Part 10, or its data set does not parse to the end (the message gives the byte offset)
  | 'missing-attribute' // a required attribute (UIDs, SOP class) is absent
  | 'invalid-uid' // a UID that breaks PS3.5 9.1
  | 'sop-class-mismatch' // dataset SOP Class differs from the command / envelope
  | 'sop-instance-mismatch' // dataset SOP Instance differs from the command
  | 'study-mismatch' // STOW-RS to /studies/{s} with an instance of another study
  | 'sop-class-not-supported'
  | 'too-large'
  | 'out-of-space' // the data directory is below PACS_STORAGE_MIN_FREE_BYTES
  | 'duplicate-rejected' // PACS_DUPLICATE_POLICY=reject
  | 'instance-rejected' // the instance was rejected by an IOCM Rejection Note and is kept for restore
  | 'storage-failure'; // disk or database failure: out of resources

/** The index cannot answer a query or retrieve. */
export type IndexErrorCode =
  | 'not-found' // nothing matches the study, series, instance or frame asked for
  | 'bad-query'; // an unknown attribute or a malformed matching value

/** Request-level problems found by the DICOMweb edge itself (PS3.18 8.3.4, 8.7.3, 10.5.2). */
export type DicomWebErrorCode =
  | 'bad-request' // malformed multipart, bad query parameter (PS3.18 8.3.4, 10.5.2)
  | 'request-aborted' // the connection closed before the request was complete
  | 'payload-too-large' // a STOW-RS request beyond PACS_HTTP_STOW_BODY_LIMIT
  | 'unsupported-media-type' // STOW-RS request Content-Type (PS3.18 10.5.2)
  | 'unsupported-part-type' // one STOW-RS part is not application/dicom (PS3.18 10.5.2)
  | 'not-acceptable'; // an Accept that we cannot satisfy (PS3.18 8.7.3)

export type AuthErrorCode =
  | 'invalid-user' // username, password or roles break the rules
  | 'user-exists'
  | 'user-not-found'
  | 'too-many-attempts' // login failures over the limit (429, Retry-After)
  | 'invalid-credentials' // login failed: unknown user, wrong password or disabled
  | 'unauthenticated' // no valid bearer token
  | 'forbidden' // valid token, missing permission
  | 'audit-unavailable'; // a login succeeded but could not be audited: no token

/** DIMSE peers (move destinations, AE policy), managed over HTTP. */
export type PeerErrorCode =
  | 'invalid-peer' // a peer body that breaks the rules (beyond DTO validation)
  | 'peer-exists' // POST with an AE title already registered
  | 'peer-not-found';

export type WorklistErrorCode =
  | 'invalid-worklist-item' // a body that breaks a rule beyond DTO validation
  | 'worklist-item-not-found'
  | 'worklist-conflict'; // accession number or Study Instance UID taken, or a change the status forbids

export type MppsErrorCode = 'mpps-not-found';

/** Corrections, patient merges and series moves (issue 32). */
export type CorrectionErrorCode =
  | 'invalid-correction' // a value the stored instances cannot carry (VR, character set)
  | 'correction-conflict'; // a merge of a patient into itself, a move of a series into its own study

/** De-identification (PS3.15 Annex E). */
export type DeidErrorCode =
  | 'deid-not-configured' // PACS_DEID_SECRET is not set: no pseudonyms can be made
  | 'deid-refused'; // an instance cannot be de-identified as asked (burned-in annotation)

/** Jobs of the queue, managed over HTTP. */
export type JobErrorCode =
  | 'job-not-found'
  | 'job-conflict'; // a retry of a job that is running or completed

/** Forwarding rules. */
export type RoutingErrorCode =
  | 'invalid-routing-rule' // e.g. a destination that is no peer with host, port and the store service
  | 'routing-rule-exists'
  | 'routing-rule-not-found'
  | 'webhook-not-found';

export type ErrorCode =
  | IngestErrorCode
  | IndexErrorCode
  | DicomWebErrorCode
  | AuthErrorCode
  | PeerErrorCode
  | WorklistErrorCode
  | MppsErrorCode
  | CorrectionErrorCode
  | DeidErrorCode
  | JobErrorCode
  | RoutingErrorCode
  | 'processing-failure'; // an unexpected error, reported as such (PS3.7 C.5 Processing failure)
