import { BadRequestException, ConflictException, HttpException, NotFoundException } from '@nestjs/common';

export type DimseErrorCode =
  | 'invalid-peer' // a peer body that breaks the rules (beyond DTO validation)
  | 'peer-exists' // POST with an AE title already registered
  | 'peer-not-found';

/** Domain error of @pacs/dimse; services throw it, the HTTP edge maps it below. */
export class DimseError extends Error {
  constructor(
    readonly code: DimseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DimseError';
  }
}

/** The one mapping from dimse error codes to HTTP; body `{ error, message }`. */
export function toHttpException(err: DimseError): HttpException {
  const body = { error: err.code, message: err.message };
  switch (err.code) {
    case 'invalid-peer':
      return new BadRequestException(body);
    case 'peer-exists':
      return new ConflictException(body);
    case 'peer-not-found':
      return new NotFoundException(body);
    default: {
      const unreachable: never = err.code;
      throw new Error(`unmapped dimse error code ${String(unreachable)}`);
    }
  }
}
