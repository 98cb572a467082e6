// The PostgreSQL of the integration specs: one embedded cluster per test run (started by
// scripts/run-tests.mjs), a migrated template database in it, and one database per spec file
// copied from the template, so specs stay isolated without each paying for initdb and migrations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseHandle, dataSourceOptions, startEmbeddedPostgres } from '@pacs/database';
import { freePort } from './ports';

/** Set by the runner: the URL of the shared cluster's maintenance database. */
export const SHARED_CLUSTER_ENV = 'PACS_TEST_PG_URL';
const TEMPLATE = 'pacs_template';
const never = new Promise<string>(() => undefined);
let created = 0;

export interface TestCluster {
  /** The maintenance database (`postgres`) of the cluster, for CREATE DATABASE. */
  url: string;
  stop(): Promise<void>;
}

/** Starts a throw-away cluster with the migrated template database; `stop` also removes its files. */
export async function startTestCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'pacs-test-pg-'));
  const db = await startEmbeddedPostgres(dir, await freePort(), () => undefined);
  const url = withDatabase(db.url, 'postgres');
  try {
    await admin(url, `CREATE DATABASE ${TEMPLATE}`);
    const migrated = await new DataSource(dataSourceOptions(withDatabase(url, TEMPLATE))).initialize();
    await migrated.destroy();
  } catch (err) {
    await db.stop();
    throw err;
  }
  return {
    url,
    stop: async () => {
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A migrated database of its own for the calling spec file: from the runner's shared cluster, or
 * from a cluster of its own when the file runs alone (`node --test dist/…/x.int-spec.js`).
 * `empty`: no schema at all, for specs of migrating. `stop` drops it (and stops the cluster it
 * started).
 */
export async function testDatabase(options: { empty?: boolean } = {}): Promise<DatabaseHandle> {
  const shared = process.env[SHARED_CLUSTER_ENV];
  const cluster = shared ? { url: shared, stop: async () => undefined } : await startTestCluster();
  const name = `pacs_${process.pid}_${++created}`;
  await admin(cluster.url, `CREATE DATABASE ${name}${options.empty ? '' : ` TEMPLATE ${TEMPLATE}`}`);
  return {
    url: withDatabase(cluster.url, name),
    lost: never,
    stop: async () => {
      await admin(cluster.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cluster.stop();
    },
  };
}

/** A TypeORM DataSource on a database of its own (testDatabase); `close` destroys it and drops the database. */
export async function testDataSource(): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const db = await testDatabase();
  const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize().catch(async (err) => {
    await db.stop();
    throw err;
  });
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await db.stop();
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
