import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';

export type MppsErrorCode = 'mpps-not-found' | 'invalid-mpps-query';

/** Domain error of @pacs/mpps; services throw it, the HTTP edge maps it below. */
export class MppsError extends Error {
  constructor(
    readonly code: MppsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MppsError';
  }
}

/** The one mapping from MPPS error codes to HTTP; body `{ error, message }`. */
export function toHttpException(err: MppsError): HttpException {
  const body = { error: err.code, message: err.message };
  switch (err.code) {
    case 'mpps-not-found':
      return new NotFoundException(body);
    case 'invalid-mpps-query':
      return new BadRequestException(body);
    default: {
      const unreachable: never = err.code;
      throw new Error(`unmapped mpps error code ${String(unreachable)}`);
    }
  }
}
