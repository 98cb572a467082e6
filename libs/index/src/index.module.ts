import { Module } from '@nestjs/common';
import { StudyStatusRepository } from './study-status.repository';
import { BlobRemovals } from './blob-removals';
import { CommitCompanions } from './commit-companions';
import { BlobRemovalsRepository } from './blob-removals.repository';
import { DeletionRepository } from './deletion.repository';
import { InstancesRepository } from './instances.repository';
import { QueryRepository } from './query.repository';
import { StorageVerifier } from './storage-verifier';
import { DeletionService } from './deletion.service';
import { IndexRepository } from './index.repository';
import { IngestRecovery } from './ingest-recovery';
import { IngestService } from './ingest.service';
import { OverridesRepository } from './overrides.repository';
import { QueryService } from './query.service';
import { RejectionRepository } from './rejection.repository';
import { RejectionService } from './rejection.service';
import { RetrieveService } from './retrieve.service';
import { SeriesMetadataRepository } from './series-metadata.repository';

@Module({
  providers: [
    BlobRemovals, BlobRemovalsRepository, CommitCompanions, DeletionRepository, DeletionService, IndexRepository, IngestRecovery, IngestService,
    InstancesRepository, OverridesRepository, QueryRepository, QueryService, RejectionRepository, RejectionService, RetrieveService, SeriesMetadataRepository,
    StorageVerifier, StudyStatusRepository,
  ],
  exports: [
    CommitCompanions, OverridesRepository, StorageVerifier, IngestService, QueryService, RetrieveService, DeletionService, RejectionService, SeriesMetadataRepository, StudyStatusRepository,
  ],
})
export class IndexModule {}
