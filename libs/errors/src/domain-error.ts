import type { ErrorCode } from './error-codes';

/**
 * What every module throws when a request cannot be served: a code of the one vocabulary
 * (error-codes.ts) and a message for the caller. The edges turn the code into a status through
 * the tables (HTTP: http-status.ts, DIMSE: dimse-status.ts); a module never picks a status itself.
 * Subclass only to carry data an edge needs (IngestError names the instance).
 */
export class DomainError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
