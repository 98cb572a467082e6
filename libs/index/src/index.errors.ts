import { DomainError } from '@pacs/errors';
import type { IngestErrorCode } from '@pacs/errors';

/** Why an instance was not stored; the edges map the code (C-STORE status, STOW-RS Failure Reason). */
export class IngestError extends DomainError<IngestErrorCode> {
  constructor(
    code: IngestErrorCode,
    message: string,
    /** The instance's UIDs when they were read before the failure (STOW-RS reports them). */
    readonly instance?: { sopClassUid: string; sopInstanceUid: string },
  ) {
    super(code, message);
  }
}

/** Nothing matches the study, series, instance or frame asked for. */
export class NotFoundError extends DomainError<'not-found'> {
  constructor(message: string) {
    super('not-found', message);
  }
}

/** An unknown attribute or a malformed matching value. */
export class QueryError extends DomainError<'bad-query'> {
  constructor(message: string) {
    super('bad-query', message);
  }
}
