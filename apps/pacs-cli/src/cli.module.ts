import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@pacs/audit';
import { AuthModule } from '@pacs/auth';
import { ConfigModule, PacsConfig } from '@pacs/config';
import { DatabaseModule } from '@pacs/database';
import { IndexModule, RECOVER_AT_START } from '@pacs/index';
import { RoutingModule } from '@pacs/routing';
import { StorageModule } from '@pacs/storage';
import { WebhooksModule } from '@pacs/webhooks';

/** What the admin commands need: the index, storage, users, the audit trail and forwarding rules (imports are queued for forwarding); no HTTP, no DIMSE. */
@Module({})
export class CliModule {
  /** `recoverAtStart: false` for commands that only report (IngestRecovery otherwise completes what crashed processes left). */
  static forRoot(config: PacsConfig, databaseUrl: string, options: { recoverAtStart: boolean } = { recoverAtStart: true }): DynamicModule {
    const cliOptions: DynamicModule = {
      module: CliOptionsModule,
      global: true,
      providers: [{ provide: RECOVER_AT_START, useValue: options.recoverAtStart }],
      exports: [RECOVER_AT_START],
    };
    return {
      module: CliModule,
      imports: [cliOptions, ConfigModule.forRoot(config), DatabaseModule.forRoot(databaseUrl), StorageModule, IndexModule, AuthModule, AuditModule, RoutingModule.forCli(), WebhooksModule.forCli()],
    };
  }
}

@Module({})
class CliOptionsModule {}
