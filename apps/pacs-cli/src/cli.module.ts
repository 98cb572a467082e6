import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@pacs/audit';
import { AuthModule } from '@pacs/auth';
import { ConfigModule, PacsConfig } from '@pacs/config';
import { DatabaseModule } from '@pacs/database';
import { IndexModule } from '@pacs/index';
import { StorageModule } from '@pacs/storage';

/** What the admin commands need: the index, storage, users and the audit trail; no HTTP, no DIMSE. */
@Module({})
export class CliModule {
  static forRoot(config: PacsConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(databaseUrl), StorageModule, IndexModule, AuthModule, AuditModule],
    };
  }
}
