import { Module } from '@nestjs/common';
import { IndexRepository } from './index.repository';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { RetrieveService } from './retrieve.service';

@Module({
  providers: [IndexRepository, IngestService, QueryService, RetrieveService],
  exports: [IngestService, QueryService, RetrieveService],
})
export class IndexModule {}
