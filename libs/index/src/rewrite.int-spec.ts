// Rewrites of stored instances (corrections, coercion on receipt) on a real PostgreSQL and blob
// directory (medium tier): the new bytes carry the new values and the pixel data as stored, the
// old blob goes; a rewrite made from a version superseded meanwhile writes nothing; an instance
// stored with values a correction changed is coerced to them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlobStore } from '@pacs/storage';
import { Tag } from '@pacs/dicom';
import { buildInstance } from '../../../test/support/generator';
import { newMediumService, MediumService } from '../../../test/support/medium';
import { IndexModule } from './index.module';
import { IngestService } from './ingest.service';
import { OverridesRepository } from './overrides.repository';

const PIXELS = Buffer.from(Array.from({ length: 4 * 4 * 2 }, (_, i) => 200 - i));

describe('rewrites of stored instances (medium: real PostgreSQL and blob directory)', () => {
  let medium: MediumService<IngestService>;
  let ingest: IngestService;
  let blobs: BlobStore;
  let overrides: OverridesRepository;

  before(async () => {
    medium = await newMediumService(IngestService, { module: IndexModule });
    ingest = medium.sut;
    blobs = medium.get(BlobStore);
    overrides = medium.get(OverridesRepository);
  });

  after(() => medium?.close());

  async function send(bytes: Buffer) {
    const writer = blobs.createTemp();
    writer.write(bytes);
    return ingest.ingest(await writer.finish(), { channel: 'import' });
  }
  const keyOf = async (studyUid: string) => (await overrides.instances({ studyUid }, '0', 10))[0].blobKey;
  const bytesOf = async (key: string) => {
    const chunks: Buffer[] = [];
    for await (const chunk of blobs.read(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const name = { tag: Tag.PatientName, vr: 'PN', value: 'NEW^NAME' } as const;

  it('rewrites an instance under a new blob, pixel data as stored, and removes the old blob', async () => {
    const instance = buildInstance({ rows: 4, pixelData: PIXELS, patientName: 'OLD^NAME' });
    await send(instance.bytes);
    const before = await keyOf(instance.studyUid);
    const outcome = await ingest.rewriteStored(before, [name], { channel: 'correction', actor: 'admin' });
    assert.equal(outcome.result, 'overwritten');
    const after = await keyOf(instance.studyUid);
    assert.notEqual(after, before);
    assert.equal(await blobs.exists(before), false, 'the old blob is removed once the row points at the new one');
    const bytes = await bytesOf(after);
    assert.ok(bytes.includes(Buffer.from('NEW^NAME')) && !bytes.includes(Buffer.from('OLD^NAME')));
    assert.ok(bytes.subarray(bytes.length - PIXELS.length).equals(PIXELS));
    const [row] = await overrides.instances({ studyUid: instance.studyUid }, '0', 10);
    assert.deepEqual(row.values[Tag.PatientName].Value, [{ Alphabetic: 'NEW^NAME' }], 'the indexed header too');
  });

  it('writes nothing when another version was stored while the rewrite was made, and keeps that version', async () => {
    const instance = buildInstance({ rows: 4, patientName: 'FIRST^VERSION' });
    await send(instance.bytes);
    const first = await keyOf(instance.studyUid);
    const resent = buildInstance({ rows: 4, patientName: 'SECOND^VERSION', studyUid: instance.studyUid, seriesUid: instance.seriesUid, sopInstanceUid: instance.sopInstanceUid });
    await send(resent.bytes);
    const second = await keyOf(instance.studyUid);
    // The first version's blob is gone with it: the rewrite fails (the correction tries again from the current one).
    await assert.rejects(ingest.rewriteStored(first, [name], { channel: 'correction' }));
    assert.equal(await keyOf(instance.studyUid), second);
    assert.ok((await bytesOf(second)).includes(Buffer.from('SECOND^VERSION')));
  });

  it('coerces an instance stored with values a correction changed on its study', async () => {
    const first = buildInstance({ rows: 4, patientId: 'OLD-ID' });
    await send(first.bytes);
    assert.equal(await overrides.record([first.studyUid], first.studyUid, { [Tag.PatientID]: 'NEW-ID' }), true);
    const late = buildInstance({ rows: 4, patientId: 'OLD-ID', studyUid: first.studyUid, seriesUid: first.seriesUid });
    const outcome = await send(late.bytes);
    assert.equal(outcome.coerced, true);
    const rows = await overrides.instances({ studyUid: first.studyUid }, '0', 10);
    const lateRow = rows.find((r) => r.sopInstanceUid === late.sopInstanceUid);
    assert.equal(lateRow?.values[Tag.PatientID].Value?.[0], 'NEW-ID');
    assert.ok((await bytesOf(lateRow!.blobKey)).includes(Buffer.from('NEW-ID')));
    assert.equal(await overrides.record(['2.25.1'], '2.25.1', { [Tag.PatientID]: 'X' }), false, 'no overrides for a study not held');
  });
});
