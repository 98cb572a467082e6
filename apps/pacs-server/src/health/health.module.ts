import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DimseModule } from '@pacs/dimse';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule, DimseModule],
  controllers: [HealthController],
})
export class HealthModule {}
