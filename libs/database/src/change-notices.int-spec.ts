import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { testDatabase } from '../../../test/support/test-database';
import { ChangeNotices } from './change-notices';
import { dataSourceOptions } from './data-source-options';
import { DatabaseHandle } from './embedded-postgres';

describe('change notices between nodes (LISTEN/NOTIFY)', () => {
  let db: DatabaseHandle;
  let nodes: { dataSource: DataSource; notices: ChangeNotices }[];

  before(async () => {
    db = await testDatabase();
    nodes = await Promise.all(
      [1, 2].map(async () => {
        const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
        return { dataSource, notices: new ChangeNotices(dataSource) };
      }),
    );
  });

  after(async () => {
    for (const node of nodes ?? []) {
      await node.notices.onModuleDestroy();
      await node.dataSource.destroy();
    }
    await db?.stop();
  });

  async function until(condition: () => boolean): Promise<boolean> {
    for (let i = 0; i < 100 && !condition(); i++) await sleep(20);
    return condition();
  }

  it('tells the other node, and this one, that the data of a channel changed', async () => {
    const heard = [0, 0];
    await nodes[0].notices.listen('pacs_test', () => heard[0]++);
    await nodes[1].notices.listen('pacs_test', () => heard[1]++);
    await nodes[1].notices.announce('pacs_test');
    assert.ok(await until(() => heard[0] === 1 && heard[1] === 1), JSON.stringify(heard));
    await nodes[0].notices.announce('pacs_other');
    await sleep(100);
    assert.deepEqual(heard, [1, 1], 'another channel is not heard');
  });

  it('listens again after losing its connection, and reloads once since notices were missed', async () => {
    let heard = 0;
    await nodes[0].notices.listen('pacs_lost', () => heard++);
    await nodes[1].dataSource.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
    assert.ok(await until(() => heard >= 1), 'handlers run after listening again');
    const before = heard;
    await nodes[1].notices.announce('pacs_lost');
    assert.ok(await until(() => heard === before + 1), 'heard again after reconnecting');
  });
});
