import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { PacsMetrics } from './pacs-metrics';

/** One registry for the whole server, injectable everywhere (domain modules take it @Optional, so the CLI runs without it). */
@Global()
@Module({
  providers: [PacsMetrics],
  exports: [PacsMetrics],
  controllers: [MetricsController],
})
export class MetricsModule {}
