export { IndexModule } from './index.module';
export { IngestService } from './ingest.service';
export type { IngestSource, IngestOutcome, IngestResult } from './ingest.types';
export { IngestError, NotFoundError, QueryError } from './index.errors';
export type { IngestErrorCode } from './index.errors';
