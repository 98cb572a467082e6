// Each PostgreSQL function and trigger has one readable current definition, `libs/<lib>/sql/<name>.sql`:
// after every migration ran, executing those files changes nothing, and nothing exists without one.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { testDataSource } from '../../../test/support/test-database';
import { sqlFile } from './sql-file';

/** The current definition files of every lib, as [lib, file name]. */
function currentFiles(): [string, string][] {
  const libs = join(__dirname, '..', '..');
  return readdirSync(libs)
    .filter((lib) => existsSync(join(libs, lib, 'sql')))
    .flatMap((lib) => readdirSync(join(libs, lib, 'sql')).filter((f) => f.endsWith('.sql')).map((f): [string, string] => [lib, f]));
}

describe('PostgreSQL functions and triggers as SQL files', () => {
  let ds: DataSource;
  let close: () => Promise<void>;

  before(async () => {
    ({ dataSource: ds, close } = await testDataSource());
  });

  after(async () => {
    await close?.();
  });

  /** Our functions (not an extension's) and triggers, by name, with their definitions. */
  async function definitions(): Promise<Map<string, string>> {
    const rows: { name: string; def: string }[] = await ds.query(
      `SELECT p.proname AS name, pg_get_functiondef(p.oid) AS def FROM pg_proc p
       WHERE p.pronamespace = 'public'::regnamespace
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
       UNION ALL
       SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal`,
    );
    return new Map(rows.map((r) => [r.name, r.def]));
  }

  it('executing the current files after the migrations changes no definition', async () => {
    const migrated = await definitions();
    for (const [lib, file] of currentFiles()) await ds.query(sqlFile(lib, file));
    assert.deepEqual(await definitions(), migrated);
  });

  it('every function and trigger of the schema has its file', async () => {
    const files = new Set(currentFiles().map(([, file]) => file.replace(/\.sql$/, '')));
    const triggers: { tgname: string; fn: string }[] = await ds.query(
      `SELECT t.tgname, p.proname AS fn FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal`,
    );
    const inTheirFunctionsFile = new Set(triggers.filter((t) => files.has(t.fn)).map((t) => t.tgname));
    const without = [...(await definitions()).keys()].filter((name) => !files.has(name) && !inTheirFunctionsFile.has(name));
    assert.deepEqual(without, []);
  });
});
