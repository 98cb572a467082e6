import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig, PacsConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule } from '@pacs/database';
import { AuditModule } from '@pacs/audit';
import { BlobStore, StorageModule } from '@pacs/storage';
import { buildInstance, InstanceSpec, newUid } from '../../../test/support/generator';
import { testDatabase } from '../../../test/support/test-database';
import { IndexModule } from './index.module';
import { blobKey, IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { RetrieveService } from './retrieve.service';
import { IngestError } from './index.errors';
import { IndexRepository } from './index.repository';
import { queryPrepared } from './prepared-statements';

describe('ingest and query against a real PostgreSQL', () => {
  let dir: string;
  let db: DatabaseHandle;
  let ctx: INestApplicationContext;
  let ingest: IngestService;
  let blobs: BlobStore;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-ingest-'));
    db = await testDatabase();
    const config = loadConfig({ PACS_DATA_DIR: dir, PACS_MAX_INSTANCE_BYTES: String(2 << 20) });
    ctx = await NestFactory.createApplicationContext(
      { module: class TestModule {}, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(db.url), StorageModule, IndexModule, AuditModule] },
      { logger: false },
    );
    ingest = ctx.get(IngestService);
    blobs = ctx.get(BlobStore);
  });

  after(async () => {
    await ctx?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(bytes: Buffer, source: Parameters<IngestService['ingest']>[1] = { channel: 'import' }) {
    const writer = blobs.createTemp();
    writer.write(bytes);
    return ingest.ingest(await writer.finish(), source);
  }

  /** The files on disk of one instance, whatever their version. */
  const filesOf = (sopInstanceUid: string): string[] => {
    const unversioned = blobKey(sopInstanceUid);
    const shard = join(dir, 'blobs', unversioned.slice(0, 5));
    const prefix = unversioned.slice(6, -'.dcm'.length);
    return existsSync(shard) ? readdirSync(shard).filter((name) => name.startsWith(prefix)) : [];
  };

  const count = async (table: string) =>
    Number((await ctx.get(DataSource).query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  it('stores a study of two series and keeps the counts and modalities right', async () => {
    const studyUid = newUid();
    const spec: InstanceSpec = { studyUid, patientName: 'DOE^JANE', patientId: 'P1', studyDate: '20240105' };
    const ct = newUid();
    for (let i = 1; i <= 3; i++) await send(buildInstance({ ...spec, seriesUid: ct, instanceNumber: i }).bytes);
    await send(buildInstance({ ...spec, seriesUid: newUid(), modality: 'MR', sopClassUid: '1.2.840.10008.5.1.4.1.1.4' }).bytes);
    const page = await ctx.get(QueryService).search({ level: 'study', match: { StudyInstanceUID: studyUid } });
    assert.equal(page.results.length, 1);
    const study = page.results[0];
    assert.deepEqual(study['00201206'].Value, [2]);
    assert.deepEqual(study['00201208'].Value, [4]);
    assert.deepEqual([...(study['00080061'].Value as string[])].sort(), ['CT', 'MR']);
    assert.deepEqual(study['00100010'].Value, [{ Alphabetic: 'DOE^JANE' }]);
  });

  it('stores concurrent instances of two studies in shared commits with every count right', async () => {
    const studies = [newUid(), newUid()];
    const series = studies.map(() => [newUid(), newUid()]);
    const sends = [];
    for (let i = 0; i < 24; i++) {
      const s = i % 2;
      sends.push(send(buildInstance({ studyUid: studies[s], seriesUid: series[s][i % 4 < 2 ? 0 : 1], patientId: `PB${s}`, instanceNumber: i }).bytes));
    }
    const outcomes = await Promise.all(sends);
    assert.deepEqual(new Set(outcomes.map((o) => o.result)), new Set(['stored']));
    for (const [s, studyUid] of studies.entries()) {
      const [study] = (await ctx.get(QueryService).search({ level: 'study', match: { StudyInstanceUID: studyUid } })).results;
      assert.deepEqual(study['00201206'].Value, [2], `study ${s}: series`);
      assert.deepEqual(study['00201208'].Value, [12], `study ${s}: instances`);
    }
    const rows = await ctx.get(DataSource).query('SELECT num_instances FROM series WHERE series_uid = ANY($1) ORDER BY num_instances', [series.flat()]);
    assert.deepEqual(rows.map((r: { num_instances: number }) => r.num_instances), [6, 6, 6, 6]);
  });

  it('overwrites a resent instance by default without changing counts, and the new bytes are served', async () => {
    const first = buildInstance({ patientId: 'P2', instanceNumber: 1 });
    await send(first.bytes);
    const again = buildInstance({ patientId: 'P2', studyUid: first.studyUid, seriesUid: first.seriesUid, sopInstanceUid: first.sopInstanceUid, instanceNumber: 7 });
    const outcome = await send(again.bytes);
    assert.equal(outcome.result, 'overwritten');
    const [stored] = await ctx.get(RetrieveService).findInstances({ studyUid: first.studyUid });
    const chunks: Buffer[] = [];
    for await (const c of ctx.get(RetrieveService).open(stored)) chunks.push(c as Buffer);
    assert.ok(Buffer.concat(chunks).equals(again.bytes));
    const page = await ctx.get(QueryService).search({ level: 'study', match: { StudyInstanceUID: first.studyUid } });
    assert.deepEqual(page.results[0]['00201208'].Value, [1]);
  });

  it('follows PACS_DUPLICATE_POLICY keep and reject: the first bytes stay, counts do not move', async () => {
    const config = ctx.get(PacsConfig);
    const first = buildInstance({ patientId: 'P3', instanceNumber: 1 });
    await send(first.bytes);
    const again = buildInstance({ patientId: 'P3', studyUid: first.studyUid, seriesUid: first.seriesUid, sopInstanceUid: first.sopInstanceUid, instanceNumber: 9 });
    const served = async () => {
      const [stored] = await ctx.get(RetrieveService).findInstances({ studyUid: first.studyUid });
      const chunks: Buffer[] = [];
      for await (const c of ctx.get(RetrieveService).open(stored)) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    try {
      config.ingest.duplicatePolicy = 'keep';
      assert.equal((await send(again.bytes)).result, 'kept-existing');
      assert.ok((await served()).equals(first.bytes));
      config.ingest.duplicatePolicy = 'reject';
      await assert.rejects(send(again.bytes), (e: IngestError) => e.code === 'duplicate-rejected');
      assert.ok((await served()).equals(first.bytes));
    } finally {
      config.ingest.duplicatePolicy = 'overwrite';
    }
    const page = await ctx.get(QueryService).search({ level: 'study', match: { StudyInstanceUID: first.studyUid } });
    assert.deepEqual(page.results[0]['00201208'].Value, [1]);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  });

  it('refuses bad input and leaves nothing behind', async () => {
    const before = { instances: await count('instances'), temps: readdirSync(join(dir, 'tmp')).length };
    const good = buildInstance();
    const cases: [Buffer, string][] = [
      [Buffer.from('not dicom at all'), 'unparsable'],
      [good.bytes.subarray(0, good.bytes.length - 100), 'unparsable'],
      [buildInstance({ sopInstanceUid: '1.2.03.x' }).bytes, 'invalid-uid'],
    ];
    for (const [bytes, code] of cases) {
      await assert.rejects(send(bytes), (err: IngestError) => err.code === code);
    }
    await assert.rejects(send(good.bytes, { channel: 'dimse', expectedSopClassUid: '1.2.840.10008.5.1.4.1.1.4' }), (e: IngestError) => e.code === 'sop-class-mismatch');
    await assert.rejects(send(good.bytes, { channel: 'stow', expectedStudyUid: newUid() }), (e: IngestError) => e.code === 'study-mismatch');
    await assert.rejects(send(Buffer.alloc(3 << 20)), (e: IngestError) => e.code === 'too-large');
    assert.equal(await count('instances'), before.instances);
    assert.equal(readdirSync(join(dir, 'tmp')).length, before.temps);
  });

  it('keeps an instance invisible to every reader until its blob is durable', async () => {
    const instance = buildInstance({ patientId: 'P5' });
    const flush = blobs.flush;
    let release!: () => void;
    const flushing = new Promise<void>((resolve) => (release = resolve));
    let flushStarted!: () => void;
    const started = new Promise<void>((resolve) => (flushStarted = resolve));
    blobs.flush = async (temp, key) => {
      flushStarted();
      await flushing;
      return flush.call(blobs, temp, key);
    };
    let stored: Promise<unknown>;
    try {
      stored = send(instance.bytes);
      await started;
      await new Promise((resolve) => setTimeout(resolve, 50)); // the index statement has run by now
      const seen = await ctx.get(DataSource).query('SELECT 1 FROM instances WHERE sop_instance_uid = $1', [instance.sopInstanceUid]);
      assert.equal(seen.length, 0, 'no other connection sees the row while the blob flushes');
      const page = await ctx.get(QueryService).search({ level: 'study', match: { StudyInstanceUID: instance.studyUid } });
      assert.equal(page.results.length, 0);
    } finally {
      release();
      blobs.flush = flush;
    }
    await stored;
    const found = await ctx.get(RetrieveService).findInstances({ studyUid: instance.studyUid });
    assert.deepEqual(found.map((f) => f.sopInstanceUid), [instance.sopInstanceUid]);
  });

  it('answers a storage failure and keeps no row when the blob cannot be flushed', async () => {
    const instance = buildInstance({ patientId: 'P6' });
    const flush = blobs.flush;
    blobs.flush = async (temp, key) => {
      await flush.call(blobs, temp, key);
      throw new Error('EIO: simulated disk error');
    };
    try {
      await assert.rejects(send(instance.bytes), (e: IngestError) => e.code === 'storage-failure');
    } finally {
      blobs.flush = flush;
    }
    await assert.rejects(ctx.get(RetrieveService).findInstances({ studyUid: instance.studyUid }), (e: Error & { code?: string }) => e.code === 'not-found');
    assert.deepEqual(filesOf(instance.sopInstanceUid), []);
    const rows = await ctx.get(DataSource).query('SELECT 1 FROM instances WHERE sop_instance_uid = $1', [instance.sopInstanceUid]);
    assert.equal(rows.length, 0);
  });

  it('answers a storage failure and keeps no row and no temp file when the blob cannot be placed', async () => {
    const instance = buildInstance({ patientId: 'P7' });
    const place = blobs.place;
    blobs.place = async () => {
      throw new Error('ENOSPC: simulated full disk');
    };
    const tempsBefore = readdirSync(join(dir, 'tmp')).length;
    try {
      await assert.rejects(send(instance.bytes), (e: IngestError) => e.code === 'storage-failure');
    } finally {
      blobs.place = place;
    }
    const rows = await ctx.get(DataSource).query('SELECT 1 FROM instances WHERE sop_instance_uid = $1', [instance.sopInstanceUid]);
    assert.equal(rows.length, 0);
    assert.deepEqual(filesOf(instance.sopInstanceUid), []);
    assert.equal(readdirSync(join(dir, 'tmp')).length, tempsBefore);
  });

  it('leaves no blob behind when the index write fails before a slow placement ends', async () => {
    const instance = buildInstance({ patientId: 'P8' });
    const place = blobs.place;
    const repository = ctx.get(IndexRepository);
    const indexInstance = repository.indexInstance;
    blobs.place = async (temp, key) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return place.call(blobs, temp, key);
    };
    repository.indexInstance = async () => {
      throw new Error('simulated lost connection');
    };
    try {
      await assert.rejects(send(instance.bytes), (e: IngestError) => e.code === 'storage-failure');
    } finally {
      blobs.place = place;
      repository.indexInstance = indexInstance;
    }
    // long enough for a placement nobody waited for to have landed
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(filesOf(instance.sopInstanceUid), []);
  });

  it('runs the hot statements as named prepared statements on the pooled connection', async () => {
    const ds = ctx.get(DataSource);
    const text = 'SELECT $1::int AS one';
    assert.deepEqual(await queryPrepared(ds, text, [1]), [{ one: 1 }]);
    const prepared = await queryPrepared(ds, 'SELECT name, statement FROM pg_prepared_statements', []);
    assert.ok(prepared.some((p) => p.statement === text && /^pacs_\d+$/.test(p.name as string)), JSON.stringify(prepared));
  });
});
