import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DimseModule, DimseProviders } from '@pacs/dimse';
import { IndexModule } from '@pacs/index';
import { WorklistModule } from '@pacs/worklist';
import { MppsController } from './mpps.controller';
import { MppsProvider } from './mpps.provider';
import { MppsRepository } from './mpps.repository';
import { MppsService } from './mpps.service';
import { ProcedureStepEntity, StudyCompletenessEntity } from './procedure-step.entity';
import { StudyCompletenessService } from './study-completeness.service';

/** Modality Performed Procedure Step SCP (PS3.4 F), `GET /api/mpps` and study completeness. */
@Module({
  imports: [DimseModule, IndexModule, WorklistModule, TypeOrmModule.forFeature([ProcedureStepEntity, StudyCompletenessEntity])],
  controllers: [MppsController],
  providers: [MppsRepository, MppsService, MppsProvider, StudyCompletenessService],
  exports: [MppsService, StudyCompletenessService],
})
export class MppsModule implements OnModuleInit {
  constructor(
    private readonly providers: DimseProviders,
    private readonly mpps: MppsProvider,
  ) {}

  onModuleInit(): void {
    this.providers.registerNormalized(this.mpps);
  }
}
