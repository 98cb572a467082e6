// The medium test tier, between unit specs (fakes everywhere) and end-to-end specs (the whole
// server): one service built by Nest with real TypeORM repositories on a real PostgreSQL
// (test-database.ts), the real providers of its module, and fakes chosen by the spec for the
// rest. Modelled on immich's newMediumService.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Abstract, ClassProvider, DynamicModule, FactoryProvider, INestApplicationContext, Provider, Type, ValueProvider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig, PacsConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule } from '@pacs/database';
import { BlobStore, StorageModule } from '@pacs/storage';
import { testDatabase } from './test-database';

type NestModule = Type | DynamicModule;

export interface MediumOptions {
  /** The real module that provides the service, imported whole as the server wires it. */
  module?: NestModule;
  /** Without `module`: the real providers the service needs from its own module (repositories). */
  providers?: Provider[];
  /** The entities of those providers, registered as their module does. */
  entities?: Type[];
  /** Other real modules the service uses (e.g. the index for STOW-RS). */
  imports?: NestModule[];
  /**
   * Chosen fakes, visible to every module (a global module): a BlobStore that reports a full
   * disk, a listener that records. A fake BlobStore replaces the real one.
   */
  fakes?: (ValueProvider | FactoryProvider | ClassProvider)[];
  /** Environment for loadConfig (PACS_DUPLICATE_POLICY …), over a fresh data directory. */
  env?: Record<string, string>;
}

export interface MediumService<T> {
  /** The service under test. */
  sut: T;
  /** Any provider of the context: a real repository, a fake, another module's service. */
  get<U>(token: Type<U> | Abstract<U> | string | symbol): U;
  /** Raw SQL on the spec's database, for what users see in tables (rows counted, statuses). */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  config: PacsConfig;
  dataDir: string;
  close(): Promise<void>;
}

/** Builds `service` on a database of its own; call `close` in the spec's `after`. */
export async function newMediumService<T>(service: Type<T>, options: MediumOptions = {}): Promise<MediumService<T>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pacs-medium-'));
  let db: DatabaseHandle | undefined;
  let ctx: INestApplicationContext | undefined;
  const close = async () => {
    await ctx?.close();
    await db?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    db = await testDatabase();
    const config = loadConfig({ PACS_DATA_DIR: dataDir, ...options.env });
    ctx = await NestFactory.createApplicationContext(mediumModule(service, options, config, db.url), { logger: false });
    const context = ctx;
    return {
      sut: context.get(service),
      get: (token) => context.get(token),
      sql: (text, params = []) => context.get(DataSource).query(text, params),
      config,
      dataDir,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function mediumModule<T>(service: Type<T>, options: MediumOptions, config: PacsConfig, url: string): DynamicModule {
  const fakes = options.fakes ?? [];
  const fakeBlobs = fakes.some((f) => f.provide === BlobStore);
  const fakesModule: DynamicModule = { module: class MediumFakes {}, global: true, providers: fakes, exports: fakes.map((f) => f.provide) };
  return {
    module: class MediumModule {},
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot(url),
      ...(fakeBlobs ? [] : [StorageModule]),
      fakesModule,
      ...(options.entities?.length ? [TypeOrmModule.forFeature(options.entities)] : []),
      ...(options.module ? [options.module] : []),
      ...(options.imports ?? []),
    ],
    providers: options.module ? [] : [service, ...(options.providers ?? [])],
  };
}
