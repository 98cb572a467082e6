import { DynamicModule, Global, Module } from '@nestjs/common';
import { PacsConfig } from './pacs-config';

/** Makes the boot-time PacsConfig injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: PacsConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: PacsConfig, useValue: config }], exports: [PacsConfig] };
  }
}
