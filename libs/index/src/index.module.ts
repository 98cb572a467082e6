import { Module } from '@nestjs/common';
import { DeletionService } from './deletion.service';
import { IndexRepository } from './index.repository';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { RetrieveService } from './retrieve.service';

@Module({
  providers: [IndexRepository, IngestService, QueryService, RetrieveService, DeletionService],
  exports: [IngestService, QueryService, RetrieveService, DeletionService],
})
export class IndexModule {}
