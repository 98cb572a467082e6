import { Module } from '@nestjs/common';
import { IndexRepository } from './index.repository';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { RetrieveService } from './retrieve.service';
import { SeriesMetadataRepository } from './series-metadata.repository';

@Module({
  providers: [IndexRepository, IngestService, QueryService, RetrieveService, SeriesMetadataRepository],
  exports: [IngestService, QueryService, RetrieveService, SeriesMetadataRepository],
})
export class IndexModule {}
