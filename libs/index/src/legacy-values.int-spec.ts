// Legacy values in the index against a real PostgreSQL: what the ingest records for pre-3.0 dates
// and times and NUL characters, how rows indexed before normalization existed are answered, and
// the LegacyDateTimeColumns migration that makes those rows match again.
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource, MigrationInterface } from 'typeorm';
import { ConfigModule, loadConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule, MIGRATIONS } from '@pacs/database';
import { AuditModule } from '@pacs/audit';
import { BlobStore, StorageModule } from '@pacs/storage';
import { buildInstance, newUid } from '../../../test/support/generator';
import { testDatabase } from '../../../test/support/test-database';
import { withRawElements } from '../../../test/support/raw-elements';
import { IndexModule } from './index.module';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';
import { SeriesMetadataRepository } from './series-metadata.repository';

describe('legacy values in the index (real PostgreSQL)', () => {
  let dir: string;
  let db: DatabaseHandle;
  let ctx: INestApplicationContext;
  let sql: DataSource;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-legacy-index-'));
    db = await testDatabase();
    const config = loadConfig({ PACS_DATA_DIR: dir });
    ctx = await NestFactory.createApplicationContext(
      { module: class TestModule {}, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(db.url), StorageModule, IndexModule, AuditModule] },
      { logger: false },
    );
    sql = ctx.get(DataSource);
  });

  after(async () => {
    await ctx?.close();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function ingestLegacy(patientId: string) {
    const built = buildInstance({ patientId, studyUid: newUid() });
    const bytes = withRawElements(built.bytes, [
      { tag: '00080020', vr: 'DA', value: '1997.04.24' },
      { tag: '00080030', vr: 'TM', value: '10:20:30.123' },
      { tag: '0008103E', vr: 'LO', value: 'AXIAL\0SOFT' },
      { tag: '00081030', vr: 'LO', value: 'OLD STUDY\0' },
      { tag: '00100030', vr: 'DA', value: '1950.01.31' },
      { tag: '00104000', vr: 'LT', value: 'FIRST\0SECOND' },
    ]);
    const writer = ctx.get(BlobStore).createTemp();
    writer.write(bytes);
    await ctx.get(IngestService).ingest(await writer.finish(), { channel: 'import' });
    return built;
  }

  const studyColumns = async (studyUid: string) =>
    (
      await sql.query(
        `SELECT st.study_date, st.study_time, p.birth_date, st.study_description FROM studies st JOIN patients p ON p.id = st.patient_pk WHERE st.study_uid = $1`,
        [studyUid],
      )
    )[0];
  const findStudies = async (match: Record<string, string>) =>
    (await ctx.get(QueryService).search({ level: 'study', match, includeFields: ['00081030'] })).results;

  it('indexes an instance with NULs in its text values, and its legacy dates and times in their current form', async () => {
    const { studyUid } = await ingestLegacy('LEGACY-INDEX-1');
    assert.deepEqual(await studyColumns(studyUid), { study_date: '19970424', study_time: '102030.123', birth_date: '19500131', study_description: 'OLD STUDY' });
    for (const date of ['19970424', '19970101-19971231']) {
      const [study] = await findStudies({ StudyDate: date, PatientID: 'LEGACY-INDEX-1' });
      assert.equal(study?.['0020000D'].Value?.[0], studyUid, date);
    }
    const [instance] = (await ctx.get(QueryService).search({ level: 'instance', match: { StudyInstanceUID: studyUid }, includeFields: 'all' })).results;
    assert.deepEqual(instance['0008103E'].Value, ['AXIAL SOFT']);
    assert.deepEqual(instance['00104000'].Value, ['FIRST SECOND']);
  });

  it('answers rows indexed before in the current form, and the migration makes them match again', async () => {
    const { studyUid, seriesUid, sopInstanceUid } = await ingestLegacy('LEGACY-INDEX-2');
    // What the index held for such an instance before values were normalized at ingest.
    const asReceived = `jsonb_set(jsonb_set(attributes, '{00080020,Value}', '["1997.04.24"]'), '{00080030,Value}', '["10:20:30.123"]')`;
    await sql.query(`UPDATE studies SET study_date = '1997.04.24', study_time = '10:20:30.123', attributes = ${asReceived} WHERE study_uid = $1`, [studyUid]);
    await sql.query(`UPDATE instances SET attributes = ${asReceived} WHERE sop_instance_uid = $1`, [sopInstanceUid]);
    await sql.query(`UPDATE patients SET birth_date = '1950.01.31' WHERE patient_id = 'LEGACY-INDEX-2'`);

    const [study] = await findStudies({ StudyInstanceUID: studyUid });
    assert.deepEqual([study['00080020'].Value, study['00080030'].Value], [['19970424'], ['102030.123']]);
    const streamed = [];
    for await (const match of ctx.get(QueryService).stream({ level: 'study', keys: [{ tag: '0020000D', value: studyUid }, { tag: '00080020', value: '' }], alwaysReturn: [] })) streamed.push(match);
    assert.deepEqual(streamed[0]['00080020'].Value, ['19970424']);
    const header = await ctx.get(SeriesMetadataRepository).instanceHeader({ studyUid, seriesUid, sopInstanceUid });
    assert.deepEqual([header.attributes['00080020'].Value, header.attributes['00080030'].Value], [['19970424'], ['102030.123']]);
    assert.equal((await findStudies({ StudyDate: '19970424', PatientID: 'LEGACY-INDEX-2' })).length, 0, 'not matched before the migration');

    const migration = MIGRATIONS.find((m) => m.name === 'LegacyDateTimeColumns1765310000000') as unknown as new () => MigrationInterface;
    const runner = sql.createQueryRunner();
    try {
      await new migration().up(runner);
    } finally {
      await runner.release();
    }
    assert.deepEqual(await studyColumns(studyUid), { study_date: '19970424', study_time: '102030.123', birth_date: '19500131', study_description: 'OLD STUDY' });
    assert.equal((await findStudies({ StudyDate: '19970424', PatientID: 'LEGACY-INDEX-2' })).length, 1);
    assert.equal((await findStudies({ PatientBirthDate: '19500131', PatientID: 'LEGACY-INDEX-2' })).length, 1);
  });
});
