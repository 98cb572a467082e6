import { DomainError } from '@pacs/errors';

/** Why an instance or a study was not de-identified: the caller gets the reason. */
export class DeidError extends DomainError<'deid-not-configured' | 'deid-refused'> {}
