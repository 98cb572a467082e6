import { BadRequestException, HttpException, NotAcceptableException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';

/** Request-level problems found by the DICOMweb edge itself (not by the index services). */
export type DicomWebErrorCode =
  | 'bad-request' // malformed multipart, bad query parameter (PS3.18 8.3.4, 10.5.2)
  | 'payload-too-large' // a STOW-RS request beyond PACS_HTTP_STOW_BODY_LIMIT
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

/** The one mapping from DICOMweb request errors to HTTP (PS3.18 8.3.4, 8.7.3, 10.5.2). */
export function dicomWebErrorToHttp(err: DicomWebError): HttpException {
  const body = { error: err.code, message: err.message };
  switch (err.code) {
    case 'bad-request':
      return new BadRequestException(body);
    case 'not-acceptable':
      return new NotAcceptableException(body);
    case 'payload-too-large':
      return new PayloadTooLargeException(body);
    case 'unsupported-media-type':
      return new UnsupportedMediaTypeException(body);
    default: {
      const unreachable: never = err.code;
      throw new Error(`unmapped DICOMweb error code ${String(unreachable)}`);
    }
  }
}
