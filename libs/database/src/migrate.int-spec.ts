import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDatabase } from '../../../test/support/test-database';
import { dataSourceOptions, MIGRATIONS } from './data-source-options';
import { DatabaseHandle } from './embedded-postgres';
import { openMigrated } from './migrate';

describe('nodes starting together on one new database', () => {
  let db: DatabaseHandle;

  before(async () => {
    db = await testDatabase({ empty: true });
  });

  after(async () => {
    await db?.stop();
  });

  it('migrate one at a time: all three start, and every migration ran once', async () => {
    const nodes = await Promise.all([1, 2, 3].map(() => openMigrated(dataSourceOptions(db.url))));
    try {
      const [ran] = await nodes[0].query('SELECT count(*)::int AS n, count(DISTINCT name)::int AS distinct FROM migrations');
      assert.deepEqual(ran, { n: MIGRATIONS.length, distinct: MIGRATIONS.length });
      const [{ n }] = await nodes[2].query('SELECT count(*)::int AS n FROM instances');
      assert.equal(n, 0, 'the schema is there for every node');
    } finally {
      await Promise.all(nodes.map((node) => node.destroy()));
    }
  });
});
