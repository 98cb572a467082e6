import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DimseModule, DimseProviders } from '@pacs/dimse';
import { MwlFindProvider } from './mwl-find.provider';
import { WorklistItemEntity, WorklistStepEntity } from './worklist-item.entity';
import { WorklistController } from './worklist.controller';
import { WorklistRepository } from './worklist.repository';
import { WorklistService } from './worklist.service';

/** Worklist items: REST for the RIS and the Modality Worklist C-FIND provider. */
@Module({
  imports: [DimseModule, TypeOrmModule.forFeature([WorklistItemEntity, WorklistStepEntity])],
  controllers: [WorklistController],
  providers: [WorklistRepository, WorklistService, MwlFindProvider],
  exports: [WorklistService],
})
export class WorklistModule implements OnModuleInit {
  constructor(
    private readonly providers: DimseProviders,
    private readonly mwl: MwlFindProvider,
  ) {}

  onModuleInit(): void {
    this.providers.registerFind(this.mwl);
  }
}
