/** Why an instance was not stored. Mapped to DIMSE statuses and DICOMweb failure reasons at the edges. */
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
  | 'storage-failure'; // disk or database failure: out of resources

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    /** The instance's UIDs when they were read before the failure (STOW-RS reports them). */
    readonly instance?: { sopClassUid: string; sopInstanceUid: string },
  ) {
    super(message);
  }
}

export class NotFoundError extends Error {
  readonly code = 'not-found';
}

export class QueryError extends Error {
  readonly code = 'bad-query';
}
