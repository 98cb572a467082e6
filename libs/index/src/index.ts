export { IndexModule } from './index.module';
export { IngestService } from './ingest.service';
export { QueryService } from './query.service';
export { RetrieveService } from './retrieve.service';
export type { IngestSource, IngestOutcome, IngestResult } from './ingest.types';
export type { InstanceQuery, QueryLevel, QueryPage, StoredInstance } from './query.types';
export { IngestError, NotFoundError, QueryError } from './index.errors';
export type { IngestErrorCode } from './index.errors';
export { StoreFailureStatus, storeFailureStatus } from './store-failure-status';
