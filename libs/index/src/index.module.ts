import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InstanceEntity } from './entities/instance.entity';
import { PatientEntity } from './entities/patient.entity';
import { SeriesEntity } from './entities/series.entity';
import { StudyEntity } from './entities/study.entity';
import { IndexRepository } from './index.repository';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { RetrieveService } from './retrieve.service';

@Module({
  imports: [TypeOrmModule.forFeature([PatientEntity, StudyEntity, SeriesEntity, InstanceEntity])],
  providers: [IndexRepository, IngestService, QueryService, RetrieveService],
  exports: [IngestService, QueryService, RetrieveService],
})
export class IndexModule {}
