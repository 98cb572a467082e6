// IOCM rejection against a real PostgreSQL and blob directory: rows leave and come back as they
// were (a study and patient the rejection emptied included), files stay until the retention
// ends, `pacs storage verify --fix` keeps them, and expiry removes rows and files.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig, PacsConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule } from '@pacs/database';
import { AuditModule } from '@pacs/audit';
import type { DicomJson } from '@pacs/dicom';
import { BlobStore, StorageModule } from '@pacs/storage';
import { buildInstance, newUid } from '../../../test/support/generator';
import { testDatabase } from '../../../test/support/test-database';
import { IndexModule } from './index.module';
import { IngestService } from './ingest.service';
import { KEY_OBJECT_SELECTION } from './rejection-note';
import { RejectionService } from './rejection.service';
import { StorageVerifier } from './storage-verifier';

const sq = (...items: DicomJson[]) => ({ vr: 'SQ', Value: items });
const ui = (uid: string) => ({ vr: 'UI', Value: [uid] });

/** The data set of a Rejection Note (113001) referencing `sops` of one series. */
function note(studyUid: string, seriesUid: string, sops: string[]): DicomJson {
  return {
    '0040A043': sq({ '00080100': { vr: 'SH', Value: ['113001'] }, '00080102': { vr: 'SH', Value: ['DCM'] } }),
    '0040A375': sq({ '0020000D': ui(studyUid), '00081115': sq({ '0020000E': ui(seriesUid), '00081199': sq(...sops.map((uid) => ({ '00081155': ui(uid) }))) }) }),
  };
}

describe('rejected instances: moved out, restored as they were, expired for good', () => {
  let dir: string;
  let db: DatabaseHandle;
  let ctx: INestApplicationContext;
  let rejections: RejectionService;
  let blobs: BlobStore;
  let sql: DataSource;
  const studyUid = newUid();
  const seriesUid = newUid();
  const sops = [newUid(), newUid()];
  let original: Awaited<ReturnType<typeof rowsOf>>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-rejection-'));
    db = await testDatabase();
    const config = loadConfig({ PACS_DATA_DIR: dir });
    ctx = await NestFactory.createApplicationContext(
      { module: class TestModule {}, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(db.url), StorageModule, IndexModule, AuditModule] },
      { logger: false },
    );
    rejections = ctx.get(RejectionService);
    blobs = ctx.get(BlobStore);
    sql = ctx.get(DataSource);
    for (const [n, sopInstanceUid] of sops.entries()) {
      const writer = blobs.createTemp();
      writer.write(buildInstance({ studyUid, seriesUid, sopInstanceUid, patientId: 'REJ-1', instanceNumber: n + 1, modality: 'MR' }).bytes);
      await ctx.get(IngestService).ingest(await writer.finish(), { channel: 'import' });
    }
    original = await rowsOf();
    assert.equal(original.study.num_instances, 2);
    assert.deepEqual(original.study.modalities, ['MR']);
  });

  after(async () => {
    await ctx?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = async () => ({
    patient: (await sql.query("SELECT * FROM patients WHERE patient_id = 'REJ-1'"))[0],
    study: (await sql.query('SELECT * FROM studies WHERE study_uid = $1', [studyUid]))[0],
    series: (await sql.query('SELECT * FROM series WHERE series_uid = $1', [seriesUid]))[0],
    instances: await sql.query('SELECT * FROM instances WHERE sop_instance_uid = ANY($1) ORDER BY id', [sops]),
  });
  const fileCount = async () => {
    let n = 0;
    for await (const _key of blobs.keys()) n++;
    return n;
  };

  it('rejecting every instance of a patient\'s only study removes study and patient; files stay and verify --fix keeps them', async () => {
    await rejections.noteStored(KEY_OBJECT_SELECTION, newUid(), note(studyUid, seriesUid, sops), { channel: 'dimse', actor: 'MR1' });
    const rows = await rowsOf();
    assert.deepEqual([rows.patient, rows.study, rows.series, rows.instances.length], [undefined, undefined, undefined, 0]);
    const [{ n }] = await sql.query('SELECT count(*)::int AS n FROM rejected_instances WHERE study_uid = $1', [studyUid]);
    assert.equal(n, 2);
    assert.equal(await fileCount(), 2);
    const report = await ctx.get(StorageVerifier).verify({ fix: true, graceMs: 0 });
    assert.deepEqual(report.orphans, []);
    assert.equal(await fileCount(), 2, 'rejected files are not orphans');
  });

  it('restore brings back patient, study, series and instances with their ids, attributes and counters', async () => {
    const stable = (row: Record<string, unknown>) => ({ ...row, updated_at: undefined });
    const same = async () => {
      const back = await rowsOf();
      assert.deepEqual(stable(back.patient), stable(original.patient));
      assert.deepEqual(stable(back.study), stable(original.study));
      assert.deepEqual(stable(back.series), stable(original.series));
      assert.deepEqual(back.instances.map(stable), original.instances.map(stable));
    };
    for (const uid of sops) await rejections.restore(uid);
    await same();
    // One of two: the counters drop, then come back.
    await rejections.noteStored(KEY_OBJECT_SELECTION, newUid(), note(studyUid, seriesUid, [sops[0]]), { channel: 'stow', actor: 'admin' });
    const partial = await rowsOf();
    assert.equal(partial.study.num_instances, 1);
    assert.equal(partial.series.num_instances, 1);
    await rejections.restore(sops[0]);
    await same();
    await assert.rejects(rejections.restore(sops[0]), (e: Error & { code?: string }) => e.code === 'not-found');
  });

  it('a note referencing an instance under another study or series rejects nothing', async () => {
    await rejections.noteStored(KEY_OBJECT_SELECTION, newUid(), note(newUid(), seriesUid, sops), { channel: 'dimse', actor: 'MR1' });
    await rejections.noteStored(KEY_OBJECT_SELECTION, newUid(), note(studyUid, newUid(), sops), { channel: 'dimse', actor: 'MR1' });
    assert.equal((await rowsOf()).instances.length, 2);
  });

  it('expiry removes rejected rows and their files once the retention has passed, and only then', async () => {
    await rejections.noteStored(KEY_OBJECT_SELECTION, newUid(), note(studyUid, seriesUid, [sops[1]]), { channel: 'dimse', actor: 'MR1' });
    assert.equal(await rejections.expireDue(), 0, 'within the 30 days nothing goes');
    assert.equal(await fileCount(), 2);
    ctx.get(PacsConfig).rejection.retentionDays = 1e-9;
    assert.equal(await rejections.expireDue(), 1);
    assert.equal(await fileCount(), 1);
    const [{ n }] = await sql.query('SELECT count(*)::int AS n FROM rejected_instances');
    assert.equal(n, 0);
    await assert.rejects(rejections.restore(sops[1]), (e: Error & { code?: string }) => e.code === 'not-found');
    assert.equal((await rowsOf()).instances.length, 1, 'the other instance stays');
  });
});
