import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule } from '@pacs/database';
import { BlobStore, StorageModule } from '@pacs/storage';
import { buildInstance, newUid } from '../../../test/support/generator';
import { testDatabase } from '../../../test/support/test-database';
import { IndexModule } from './index.module';
import { IngestService } from './ingest.service';
import { NotFoundError } from './index.errors';
import { SeriesMetadataRepository } from './series-metadata.repository';

const BASE = 'http://pacs/dicomweb';
const fake = (n: number) => async () => ({ etag: `"v${n}"`, gzip: Buffer.from([n]), size: n });

describe('series metadata cache in PostgreSQL (invalidation by trigger)', () => {
  let dir: string;
  let db: DatabaseHandle;
  let ctx: INestApplicationContext;
  let repo: SeriesMetadataRepository;
  let sql: DataSource;
  const studyUid = newUid();
  const seriesUid = newUid();

  const store = async (instanceNumber: number) => {
    const writer = ctx.get(BlobStore).createTemp();
    writer.write(buildInstance({ studyUid, seriesUid, instanceNumber, rows: 4 }).bytes);
    await ctx.get(IngestService).ingest(await writer.finish(), { channel: 'import' });
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-metadata-'));
    db = await testDatabase();
    ctx = await NestFactory.createApplicationContext(
      { module: class TestModule {}, imports: [ConfigModule.forRoot(loadConfig({ PACS_DATA_DIR: dir })), DatabaseModule.forRoot(db.url), StorageModule, IndexModule] },
      { logger: false },
    );
    repo = ctx.get(SeriesMetadataRepository);
    sql = ctx.get(DataSource);
    await store(1);
    await store(2);
  });

  after(async () => {
    await ctx?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands the instance headers to the renderer in instance order and keeps the result per base URL', async () => {
    let seen: number[] = [];
    await repo.rebuild(studyUid, seriesUid, BASE, async (rows) => {
      seen = rows.map((r) => Number(r.attributes['00200013'].Value?.[0]));
      return fake(1)();
    });
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(await repo.cached(studyUid, seriesUid, BASE), { etag: '"v1"', gzip: Buffer.from([1]), size: 1 });
    assert.equal(await repo.cached(studyUid, seriesUid, 'https://other/dicomweb'), undefined);
    assert.equal(await repo.cached(newUid(), seriesUid, BASE), undefined, 'the series must belong to the study');
  });

  it('forgets the series when one of its instances is inserted, updated or deleted', async () => {
    await store(3);
    assert.equal(await repo.cached(studyUid, seriesUid, BASE), undefined, 'insert');
    await repo.rebuild(studyUid, seriesUid, BASE, fake(2));
    await sql.query(`UPDATE instances SET instance_number = 30 WHERE instance_number = 3`);
    assert.equal(await repo.cached(studyUid, seriesUid, BASE), undefined, 'update');
    await repo.rebuild(studyUid, seriesUid, BASE, fake(3));
    await sql.query(`DELETE FROM instances WHERE instance_number = 30`);
    assert.equal(await repo.cached(studyUid, seriesUid, BASE), undefined, 'delete');
  });

  it('never keeps a body that misses an instance stored while it was being built', async () => {
    let release!: () => void;
    const building = repo.rebuild(studyUid, seriesUid, BASE, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return fake(4)();
    });
    await sleep(100);
    const storing = store(4); // waits on the series row the build holds
    await sleep(200);
    release();
    await building;
    await storing;
    assert.equal(await repo.cached(studyUid, seriesUid, BASE), undefined);
  });

  it('keeps at most four base URLs per series, dropping the oldest', async () => {
    for (let n = 1; n <= 6; n++) await repo.rebuild(studyUid, seriesUid, `http://host${n}/dicomweb`, fake(n));
    assert.equal(await repo.cached(studyUid, seriesUid, 'http://host1/dicomweb'), undefined);
    assert.equal(await repo.cached(studyUid, seriesUid, 'http://host2/dicomweb'), undefined);
    for (let n = 3; n <= 6; n++) assert.ok(await repo.cached(studyUid, seriesUid, `http://host${n}/dicomweb`), `host${n}`);
  });

  it('throws NotFoundError for an unknown series or study', async () => {
    await assert.rejects(repo.rebuild(studyUid, newUid(), BASE, fake(5)), NotFoundError);
    await assert.rejects(repo.seriesOfStudy(newUid()), NotFoundError);
    await assert.rejects(repo.instanceHeader({ studyUid, seriesUid, sopInstanceUid: newUid() }), NotFoundError);
  });
});
