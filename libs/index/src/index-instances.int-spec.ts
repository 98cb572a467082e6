// pacs_index_instances against a real PostgreSQL: a batch records what its rows one by one
// would (IndexInstancesBySeries1765000000000), while updating study and series once per run;
// each row says what it did, and an overwrite which blob key it superseded (BlobRemovals1765320000000).
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { testDataSource } from '../../../test/support/test-database';

let uid = 0;

function row(studyUid: string, seriesUid: string, modality: string, extra: Record<string, unknown> = {}) {
  uid += 1;
  return {
    patientId: 'PB',
    issuer: '',
    patientName: 'BATCH^ROW',
    studyUid,
    studyDescription: `description ${uid}`,
    studyAttributes: { [`0008103${uid % 2}`]: { vr: 'LO', Value: [`v${uid}`] } },
    seriesUid,
    modality,
    seriesNumber: 1,
    seriesAttributes: {},
    sopInstanceUid: `1.2.9.${uid}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    instanceNumber: uid,
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    blobKey: `k/${uid}`,
    sizeBytes: 10,
    sha256: '00',
    sourceAe: 'T',
    attributes: {},
    ...extra,
  };
}

describe('pacs_index_instances', () => {
  let ds: DataSource;
  let close: () => Promise<void>;

  before(async () => {
    ({ dataSource: ds, close } = await testDataSource());
  });

  after(async () => {
    await close?.();
  });

  const indexBatch = async (rows: object[]): Promise<boolean[]> =>
    ((await ds.query('SELECT pacs_index_instances($1::jsonb) AS r', [JSON.stringify(rows)]))[0].r as object[]).map((r) => 'inserted' in r);
  const indexOne = async (r: object): Promise<Record<string, unknown>> =>
    (await ds.query('SELECT pacs_index_instance($1::jsonb) AS r', [JSON.stringify(r)]))[0].r;

  const study = async (studyUid: string) =>
    (await ds.query('SELECT num_series, num_instances, modalities, study_description, attributes FROM studies WHERE study_uid = $1', [studyUid]))[0];

  const seriesCounts = async (studyUid: string) =>
    (
      await ds.query(
        'SELECT s.series_uid, s.num_instances, (SELECT count(*)::int FROM instances i WHERE i.series_pk = s.id) AS rows FROM series s JOIN studies st ON st.id = s.study_pk WHERE st.study_uid = $1 ORDER BY s.series_uid',
        [studyUid],
      )
    ).map((r: { series_uid: string; num_instances: number; rows: number }) => [r.series_uid, r.num_instances, r.rows]);

  it('counts runs of several series in one batch, with the last row of a run and the merged attributes kept', async () => {
    const batch = [row('1.2.1', '1.2.1.1', 'CT'), row('1.2.1', '1.2.1.1', 'CT'), row('1.2.1', '1.2.1.1', 'CT'), row('1.2.1', '1.2.1.2', 'MR'), row('1.2.1', '1.2.1.2', 'MR')];
    assert.deepEqual(await indexBatch(batch), [true, true, true, true, true]);
    const s = await study('1.2.1');
    assert.equal(s.num_series, 2);
    assert.equal(s.num_instances, 5);
    assert.deepEqual(s.modalities, ['CT', 'MR']);
    assert.equal(s.study_description, batch[4].studyDescription);
    assert.deepEqual(Object.keys(s.attributes).sort(), ['00081030', '00081031'], 'attributes of every row merged');
    assert.deepEqual(await seriesCounts('1.2.1'), [['1.2.1.1', 3, 3], ['1.2.1.2', 2, 2]]);
  });

  it('recounts a resend inside a batch that moves an instance to another series, and counts the rest of the run', async () => {
    const first = row('1.2.2', '1.2.2.1', 'CT');
    assert.deepEqual(await indexBatch([first, row('1.2.2', '1.2.2.1', 'CT')]), [true, true]);
    const moved = { ...first, seriesUid: '1.2.2.2', modality: 'MR' };
    const batch = [row('1.2.2', '1.2.2.2', 'MR'), moved, row('1.2.2', '1.2.2.2', 'MR')];
    assert.deepEqual(await indexBatch(batch), [true, false, true]);
    const s = await study('1.2.2');
    assert.equal(s.num_instances, 4);
    assert.equal(s.num_series, 2);
    assert.deepEqual([...s.modalities].sort(), ['CT', 'MR']);
    assert.deepEqual(await seriesCounts('1.2.2'), [['1.2.2.1', 1, 1], ['1.2.2.2', 3, 3]]);
  });

  it('applies a patient change within a batch as the rows one by one would', async () => {
    const batch = [row('1.2.3', '1.2.3.1', 'CT'), row('1.2.3', '1.2.3.1', 'CT', { patientName: 'BATCH^RENAMED' })];
    assert.deepEqual(await indexBatch(batch), [true, true]);
    const [patient] = await ds.query("SELECT patient_name FROM patients WHERE patient_id = 'PB'");
    assert.equal(patient.patient_name, 'BATCH^RENAMED');
    assert.deepEqual(await seriesCounts('1.2.3'), [['1.2.3.1', 2, 2]]);
  });

  it('tells each of many concurrent overwrites of one instance the key it superseded, and records that key for removal', async () => {
    const first = row('1.2.4', '1.2.4.1', 'CT');
    assert.deepEqual(await indexOne(first), { inserted: true });
    const versions = Array.from({ length: 16 }, (_, i) => ({ ...first, blobKey: `v/${i}` }));
    const outcomes = await Promise.all(versions.map((v) => indexOne(v)));
    const replaced = outcomes.map((o) => o.replaced as string);
    const [current] = await ds.query('SELECT blob_key FROM instances WHERE sop_instance_uid = $1', [first.sopInstanceUid]);
    // The writes took the row lock one after another: each superseded the one before it, so
    // the keys form one chain from the first to the one the row holds now.
    assert.deepEqual([...replaced, current.blob_key].sort(), [first.blobKey, ...versions.map((v) => v.blobKey)].sort());
    const recorded = await ds.query('SELECT blob_key FROM blob_removals WHERE sop_instance_uid = $1', [first.sopInstanceUid]);
    assert.deepEqual(recorded.map((r: { blob_key: string }) => r.blob_key).sort(), [...replaced].sort());
    assert.deepEqual((await study('1.2.4')).num_instances, 1);
  });

  it('leaves an instance already indexed untouched when the row was sent as new, in a batch or alone', async () => {
    const first = row('1.2.5', '1.2.5.1', 'CT');
    assert.deepEqual(await indexOne(first), { inserted: true });
    const late = { ...first, blobKey: 'late', instanceNumber: 99, expectNew: true };
    assert.deepEqual(await indexOne(late), { exists: true });
    const other = row('1.2.5', '1.2.5.1', 'CT', { expectNew: true });
    const [result] = await ds.query('SELECT pacs_index_instances($1::jsonb) AS r', [JSON.stringify([late, other])]);
    assert.deepEqual(result.r, [{ exists: true }, { inserted: true }]);
    const [kept] = await ds.query('SELECT blob_key, instance_number FROM instances WHERE sop_instance_uid = $1', [first.sopInstanceUid]);
    assert.deepEqual([kept.blob_key, kept.instance_number], [first.blobKey, first.instanceNumber]);
    assert.equal((await ds.query('SELECT 1 FROM blob_removals WHERE sop_instance_uid = $1', [first.sopInstanceUid])).length, 0);
    assert.equal((await study('1.2.5')).num_instances, 2);
  });
});
