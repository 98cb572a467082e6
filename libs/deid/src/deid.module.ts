import { Module } from '@nestjs/common';
import { IndexModule } from '@pacs/index';
import { CopyIngest } from './copy-ingest';
import { DeidController } from './deid.controller';
import { DeidService } from './deid.service';
import { StudyDeidentifier } from './study-deidentifier';

/** De-identification (PS3.15 Annex E): the engine, the study copy route, and the service other modules use. */
@Module({
  imports: [IndexModule],
  controllers: [DeidController],
  providers: [DeidService, CopyIngest, StudyDeidentifier],
  exports: [DeidService, CopyIngest],
})
export class DeidModule {}
