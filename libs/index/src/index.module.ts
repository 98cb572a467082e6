import { Module } from '@nestjs/common';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { RetrieveService } from './retrieve.service';

@Module({
  providers: [IngestService, QueryService, RetrieveService],
  exports: [IngestService, QueryService, RetrieveService],
})
export class IndexModule {}
