import { BadRequestException, ConflictException, HttpException, NotFoundException } from '@nestjs/common';

export type WorklistErrorCode =
  | 'invalid-worklist-item' // a body that breaks a rule beyond DTO validation
  | 'worklist-item-not-found'
  | 'worklist-conflict'; // accession number or Study Instance UID taken, or a change the status forbids

/** Domain error of @pacs/worklist; services throw it, the HTTP edge maps it below. */
export class WorklistError extends Error {
  constructor(
    readonly code: WorklistErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WorklistError';
  }
}

/** The one mapping from worklist error codes to HTTP; body `{ error, message }`. */
export function toHttpException(err: WorklistError): HttpException {
  const body = { error: err.code, message: err.message };
  switch (err.code) {
    case 'invalid-worklist-item':
      return new BadRequestException(body);
    case 'worklist-item-not-found':
      return new NotFoundException(body);
    case 'worklist-conflict':
      return new ConflictException(body);
    default: {
      const unreachable: never = err.code;
      throw new Error(`unmapped worklist error code ${String(unreachable)}`);
    }
  }
}
