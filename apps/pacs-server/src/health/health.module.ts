import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DimseModule } from '@pacs/dimse';
import { HealthController } from './health.controller';
import { StorageGauges } from './storage-gauges';

@Module({
  imports: [TerminusModule, DimseModule],
  controllers: [HealthController],
  providers: [StorageGauges],
})
export class HealthModule {}
