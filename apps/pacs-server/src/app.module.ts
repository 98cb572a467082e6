import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuditModule } from '@pacs/audit';
import { AuthModule } from '@pacs/auth';
import { ConfigModule, PacsConfig } from '@pacs/config';
import { CorrectionsModule } from '@pacs/corrections';
import { DatabaseModule } from '@pacs/database';
import { DeidModule } from '@pacs/deid';
import { DicomWebModule } from '@pacs/dicomweb';
import { DimseModule } from '@pacs/dimse';
import { Hl7Module } from '@pacs/hl7';
import { IndexModule } from '@pacs/index';
import { JobsModule } from '@pacs/jobs';
import { MetricsModule } from '@pacs/metrics';
import { MppsModule } from '@pacs/mpps';
import { RoutingModule } from '@pacs/routing';
import { WebhooksModule } from '@pacs/webhooks';
import { StorageModule } from '@pacs/storage';
import { ViewerModule } from '@pacs/viewer';
import { WorklistModule } from '@pacs/worklist';
import { HealthModule } from './health/health.module';

/** Composition only: every capability lives in its domain module. */
@Module({})
export class AppModule {
  static forRoot(config: PacsConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: { level: config.log.level, autoLogging: false, redact: ['req.headers.authorization'], base: { pid: process.pid, node: config.nodeId } },
        }),
        // Workers share the database's connections: 80 in all, at least 5 each.
        DatabaseModule.forRoot(databaseUrl, config.workers > 1 ? Math.max(5, Math.floor(80 / config.workers)) : undefined),
        MetricsModule,
        StorageModule,
        IndexModule,
        AuthModule,
        AuditModule,
        DimseModule,
        DicomWebModule,
        DeidModule,
        WorklistModule,
        MppsModule,
        CorrectionsModule,
        Hl7Module,
        JobsModule,
        RoutingModule.forServer(),
        WebhooksModule.forServer(),
        HealthModule,
        ViewerModule,
      ],
    };
  }
}
