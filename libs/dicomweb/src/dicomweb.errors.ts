/** Request-level problems found by the DICOMweb edge itself (not by the index services). */
export type DicomWebErrorCode =
  | 'bad-request' // malformed multipart, bad query parameter (PS3.18 8.3.4, 10.5.2)
  | 'unsupported-media-type' // STOW-RS request Content-Type (PS3.18 10.5.2)
  | 'not-acceptable'; // WADO-RS Accept that we cannot satisfy (PS3.18 8.7.3)

export class DicomWebError extends Error {
  constructor(
    readonly code: DicomWebErrorCode,
    message: string,
  ) {
    super(message);
  }
}
