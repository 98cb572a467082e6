import { Module } from '@nestjs/common';
import { StudyStatusRepository } from './study-status.repository';
import { BlobRemovals } from './blob-removals';
import { StorageVerifier } from './storage-verifier';
import { DeletionService } from './deletion.service';
import { IndexRepository } from './index.repository';
import { IngestRecovery } from './ingest-recovery';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { RetrieveService } from './retrieve.service';
import { SeriesMetadataRepository } from './series-metadata.repository';

@Module({
  providers: [BlobRemovals, StorageVerifier, IndexRepository, IngestService, IngestRecovery, QueryService, RetrieveService, DeletionService, SeriesMetadataRepository, StudyStatusRepository],
  exports: [StorageVerifier, IngestService, QueryService, RetrieveService, DeletionService, SeriesMetadataRepository, StudyStatusRepository],
})
export class IndexModule {}
