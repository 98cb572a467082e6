// No blob without a row (issue 27): overwrites that interleave, deletions and crashes against a
// real PostgreSQL and blob directory leave exactly the files the index references.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule } from '@pacs/database';
import { AuditModule } from '@pacs/audit';
import { BlobStore, StorageModule } from '@pacs/storage';
import { buildInstance, newUid } from '../../../test/support/generator';
import { testDatabase } from '../../../test/support/test-database';
import { DeletionService } from './deletion.service';
import { IndexModule } from './index.module';
import { IngestRecovery } from './ingest-recovery';
import { StorageVerifier } from './storage-verifier';
import { blobKey, IngestService } from './ingest.service';

describe('blob files follow the index', () => {
  let dir: string;
  let db: DatabaseHandle;
  let ctx: INestApplicationContext;
  let ingest: IngestService;
  let blobs: BlobStore;
  let sql: DataSource;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-blob-life-'));
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

  /** The files on disk of one instance, whatever their version. */
  function filesOf(sopInstanceUid: string): string[] {
    const unversioned = blobKey(sopInstanceUid);
    const shard = join(dir, 'blobs', unversioned.slice(0, 5));
    const prefix = unversioned.slice(6, -'.dcm'.length);
    return existsSync(shard) ? readdirSync(shard).filter((name) => name.startsWith(prefix)) : [];
  }

  async function rowOf(sopInstanceUid: string): Promise<{ blob_key: string; sha256: string } | undefined> {
    return (await sql.query('SELECT blob_key, sha256 FROM instances WHERE sop_instance_uid = $1', [sopInstanceUid]))[0];
  }

  /** Records are deleted in the background after their files went: wait for that. */
  async function removalsSettled(): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const [{ n }] = await sql.query('SELECT count(*)::int AS n FROM blob_removals');
      if (n === 0) return 0;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return (await sql.query('SELECT count(*)::int AS n FROM blob_removals'))[0].n;
  }

  it('keeps only the file the row points to when a modality resends one image many times at once', async () => {
    const spec = { patientId: 'LEAK-1', studyUid: newUid(), seriesUid: newUid(), sopInstanceUid: newUid() };
    await send(buildInstance({ ...spec, instanceNumber: 1 }).bytes);
    const versions = Array.from({ length: 24 }, (_, i) => buildInstance({ ...spec, instanceNumber: i + 2 }).bytes);
    const outcomes = await Promise.all(versions.map((bytes) => send(bytes)));
    assert.deepEqual(new Set(outcomes.map((o) => o.result)), new Set(['overwritten']));
    const row = await rowOf(spec.sopInstanceUid);
    assert.deepEqual(filesOf(spec.sopInstanceUid), [basename(row!.blob_key)]);
    assert.equal(await removalsSettled(), 0);
  });

  it('stores an image sent twice at once as new: one is stored, the other overwrites it, one file stays and matches its row', async () => {
    const spec = { patientId: 'LEAK-2', studyUid: newUid(), seriesUid: newUid(), sopInstanceUid: newUid() };
    const [a, b] = [1, 2].map((n) => buildInstance({ ...spec, instanceNumber: n }).bytes);
    const outcomes = await Promise.all([send(a), send(b)]);
    assert.deepEqual(outcomes.map((o) => o.result).sort(), ['overwritten', 'stored']);
    const row = await rowOf(spec.sopInstanceUid);
    assert.deepEqual(filesOf(spec.sopInstanceUid), [basename(row!.blob_key)]);
    const onDisk = readFileSync(join(dir, 'blobs', row!.blob_key));
    assert.equal(createHash('sha256').update(onDisk).digest('hex'), row!.sha256);
  });

  it('leaves no file of a deleted study, also of its overwritten images', async () => {
    const spec = { patientId: 'LEAK-3', studyUid: newUid(), seriesUid: newUid() };
    const uids = [newUid(), newUid(), newUid()];
    for (const sopInstanceUid of uids) await send(buildInstance({ ...spec, sopInstanceUid }).bytes);
    await Promise.all(uids.slice(0, 2).flatMap((sopInstanceUid) => [3, 4].map((n) => send(buildInstance({ ...spec, sopInstanceUid, instanceNumber: n }).bytes))));
    await ctx.get(DeletionService).delete({ studyUid: spec.studyUid });
    assert.deepEqual(uids.flatMap(filesOf), []);
    assert.equal(await removalsSettled(), 0);
  });

  it('at start-up removes what a process that died left: temp files, a blob placed without a row, and recorded removals', async () => {
    const stored = buildInstance({ patientId: 'LEAK-4' });
    await send(stored.bytes);
    // A process that placed a blob and died before its row committed (the same store code as the server).
    const placedKey = blobKey(newUid(), 'crashed');
    const storeModule = join(__dirname, '..', '..', 'storage', 'src', 'filesystem-blob-store.js');
    const crashed = spawnSync(process.execPath, ['-e', `
      const { FilesystemBlobStore } = require(${JSON.stringify(storeModule)});
      (async () => {
        const store = new FilesystemBlobStore(${JSON.stringify(dir)});
        const unfinished = store.createTemp();
        unfinished.write(Buffer.alloc(1000, 1));
        await unfinished.finish();
        const placed = store.createTemp();
        placed.write(Buffer.from('placed, never indexed'));
        const temp = await placed.finish();
        await store.place(temp, ${JSON.stringify(placedKey)});
        await store.flush(temp, ${JSON.stringify(placedKey)});
        process.kill(process.pid, 'SIGKILL');
      })();`]);
    assert.equal(crashed.signal, 'SIGKILL', crashed.stderr.toString());
    assert.equal(readdirSync(join(dir, 'tmp')).length, 2, 'the dead process left a temp file and a placement record');
    // A deletion that committed and crashed before removing the file.
    const recordedKey = blobKey(newUid(), 'deleted');
    mkdirSync(join(dir, 'blobs', recordedKey.slice(0, 5)), { recursive: true });
    writeFileSync(join(dir, 'blobs', recordedKey), 'deleted, not yet removed');
    await sql.query('INSERT INTO blob_removals (blob_key, sop_instance_uid) VALUES ($1, $2)', [recordedKey, '1.2.3']);

    await ctx.get(IngestRecovery).onModuleInit();

    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    assert.equal(await blobs.exists(placedKey), false);
    assert.equal(await blobs.exists(recordedKey), false);
    assert.equal((await sql.query('SELECT count(*)::int AS n FROM blob_removals'))[0].n, 0);
    const row = await rowOf(stored.sopInstanceUid);
    assert.ok(row && (await blobs.exists(row.blob_key)), 'what was stored is kept');
  });

  it('verify does not count as an orphan a blob a running process has placed and not yet indexed', async () => {
    const key = blobKey(newUid(), 'inflight');
    const writer = blobs.createTemp();
    writer.write(Buffer.from('being stored'));
    const temp = await writer.finish();
    await blobs.place(temp, key);
    await blobs.flush(temp, key);
    const report = await ctx.get(StorageVerifier).verify({ fix: false, graceMs: 0 });
    assert.deepEqual([report.orphans, report.missing, report.inFlight], [[], [], 1]);
    await blobs.remove(key);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  });
});
