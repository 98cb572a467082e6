import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { ChangeNotices } from './change-notices';
import { dataSourceOptions } from './data-source-options';
import { openMigrated } from './migrate';

/** The TypeORM connection, migrated (one node at a time); entities are registered by each domain module with forFeature. */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, poolSize?: number): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [ChangeNotices],
      exports: [ChangeNotices],
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(url, poolSize), autoLoadEntities: true }),
          dataSourceFactory: (options) => openMigrated(options as DataSourceOptions),
        }),
      ],
    };
  }
}
