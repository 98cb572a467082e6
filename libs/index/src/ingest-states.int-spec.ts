// Ingest in its states against a real PostgreSQL: while an instance's blob is being made durable
// (pending) no query finds it; once its row commits (stored) every one does.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule } from '@pacs/database';
import { AuditModule } from '@pacs/audit';
import { BlobStore, StorageModule } from '@pacs/storage';
import { buildInstance } from '../../../test/support/generator';
import { testDatabase } from '../../../test/support/test-database';
import { IndexModule } from './index.module';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { RetrieveService } from './retrieve.service';
import { SeriesMetadataRepository } from './series-metadata.repository';
import { StudyStatusRepository } from './study-status.repository';

describe('an instance is stored only once its blob is durable', () => {
  let dir: string;
  let db: DatabaseHandle;
  let ctx: INestApplicationContext;
  let ingest: IngestService;
  let blobs: BlobStore;
  let sql: DataSource;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-ingest-states-'));
    db = await testDatabase();
    const config = loadConfig({ PACS_DATA_DIR: dir });
    ctx = await NestFactory.createApplicationContext(
      { module: class TestModule {}, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(db.url), StorageModule, IndexModule, AuditModule] },
      { logger: false },
    );
    ingest = ctx.get(IngestService);
    blobs = ctx.get(BlobStore);
    sql = ctx.get(DataSource);
  });

  after(async () => {
    await ctx?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(bytes: Buffer) {
    const writer = blobs.createTemp();
    writer.write(bytes);
    return ingest.ingest(await writer.finish(), { channel: 'import' });
  }


  /** What QIDO-RS, C-FIND, WADO-RS, C-GET/C-MOVE, metadata and study completeness see of a study. */
  async function seen(studyUid: string, sopInstanceUid: string) {
    const query = ctx.get(QueryService);
    const retrieve = ctx.get(RetrieveService);
    const cfind: unknown[] = [];
    for await (const match of query.stream({ level: 'study', keys: [{ tag: '0020000D', value: studyUid }], alwaysReturn: [] })) cfind.push(match);
    return {
      qidoStudies: (await query.search({ level: 'study', match: { StudyInstanceUID: studyUid } })).results.length,
      qidoSeries: (await query.search({ level: 'series', studyUid, match: {} })).results.length,
      qidoInstances: (await query.search({ level: 'instance', studyUid, match: {} })).results.length,
      cfindStudies: cfind.length,
      wado: (await retrieve.findInstances({ studyUid }).catch(() => [])).length,
      retrieve: (await retrieve.findForRetrieve({ studyUids: [studyUid] })).length,
      metadataSeries: (await ctx.get(SeriesMetadataRepository).seriesOfStudy(studyUid).catch(() => [])).length,
      stored: await ctx.get(StudyStatusRepository).countStored([sopInstanceUid]),
    };
  }

  it('finds a new instance by no query while its blob is made durable, and everywhere once stored', async () => {
    const instance = buildInstance({ patientId: 'PENDING-1' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const flush = blobs.flush;
    let flushing = false;
    blobs.flush = async (temp, key) => {
      flushing = true;
      await gate;
      return flush.call(blobs, temp, key);
    };
    let stored: ReturnType<typeof send>;
    try {
      stored = send(instance.bytes);
      while (!flushing) await new Promise((resolve) => setTimeout(resolve, 10));
      const none = { qidoStudies: 0, qidoSeries: 0, qidoInstances: 0, cfindStudies: 0, wado: 0, retrieve: 0, metadataSeries: 0, stored: 0 };
      assert.deepEqual(await seen(instance.studyUid, instance.sopInstanceUid), none);
    } finally {
      release();
      blobs.flush = flush;
    }
    assert.equal((await stored).result, 'stored');
    const all = { qidoStudies: 1, qidoSeries: 1, qidoInstances: 1, cfindStudies: 1, wado: 1, retrieve: 1, metadataSeries: 1, stored: 1 };
    assert.deepEqual(await seen(instance.studyUid, instance.sopInstanceUid), all);
    const [study] = (await ctx.get(QueryService).search({ level: 'study', match: { StudyInstanceUID: instance.studyUid } })).results;
    assert.deepEqual([study['00201206'].Value, study['00201208'].Value, study['00080061'].Value], [[1], [1], ['CT']]);
  });
});
