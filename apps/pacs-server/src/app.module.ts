import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, PacsConfig } from '@pacs/config';
import { DatabaseModule } from '@pacs/database';
import { StorageModule } from '@pacs/storage';

/** Composition only: every capability lives in its domain module. */
@Module({})
export class AppModule {
  static forRoot(config: PacsConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: { level: config.log.level, autoLogging: false, redact: ['req.headers.authorization'] },
        }),
        DatabaseModule.forRoot(databaseUrl),
        StorageModule,
      ],
    };
  }
}
