// IngestService on a real PostgreSQL and blob directory (medium tier), through its public
// outcomes and the query results: instances announced by C-STORE, the same instance twice at
// once, a disk below its free-space minimum (a chosen fake), and who hears of stored instances.
// Policies, refused input and storage failures are in ingest.int-spec.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PacsConfig } from '@pacs/config';
import { BlobStore, FilesystemBlobStore } from '@pacs/storage';
import { buildInstance, newUid } from '../../../test/support/generator';
import { newMediumService, MediumService } from '../../../test/support/medium';
import { IndexModule } from './index.module';
import { IngestService } from './ingest.service';
import { QueryService } from './query.service';

/** The real blob store on a disk whose free space the test sets. */
class AdjustableDisk extends FilesystemBlobStore {
  freeBytes = Number.MAX_SAFE_INTEGER;

  override async freeSpace(): Promise<{ freeBytes: number; totalBytes: number }> {
    return { freeBytes: this.freeBytes, totalBytes: Number.MAX_SAFE_INTEGER };
  }
}

const refused = (code: string) => (err: unknown) => (err as { code?: string }).code === code;

describe('ingest outcomes (medium: real PostgreSQL, adjustable disk)', () => {
  let medium: MediumService<IngestService>;
  let ingest: IngestService;
  let disk: AdjustableDisk;

  before(async () => {
    medium = await newMediumService(IngestService, {
      module: IndexModule,
      fakes: [{ provide: BlobStore, inject: [PacsConfig], useFactory: (config: PacsConfig) => new AdjustableDisk(config.dataDir) }],
    });
    ingest = medium.sut;
    disk = medium.get(BlobStore) as AdjustableDisk;
  });

  after(() => medium?.close());

  async function send(bytes: Buffer, source: Parameters<IngestService['ingest']>[1] = { channel: 'import' }) {
    const writer = disk.createTemp();
    writer.write(bytes);
    return ingest.ingest(await writer.finish(), source);
  }

  const instancesOfStudy = async (studyUid: string) =>
    (await medium.get(QueryService).search({ level: 'instance', match: { StudyInstanceUID: studyUid } })).results.map((r) => r['00080018'].Value?.[0]);

  it('stores an instance a C-STORE announced, and overwrites it when the modality sends it again', async () => {
    const instance = buildInstance({ rows: 4 });
    const cStore = { channel: 'dimse', actor: 'CT1', expectedSopClassUid: instance.sopClassUid, expectedSopInstanceUid: instance.sopInstanceUid } as const;
    ingest.announce(instance.sopInstanceUid);
    const first = await send(instance.bytes, cStore);
    assert.deepEqual([first.result, first.studyUid, first.seriesUid], ['stored', instance.studyUid, instance.seriesUid]);
    ingest.announce(instance.sopInstanceUid);
    assert.equal((await send(instance.bytes, cStore)).result, 'overwritten');
    assert.deepEqual(await instancesOfStudy(instance.studyUid), [instance.sopInstanceUid]);
  });

  it('indexes the same new instance once when two senders deliver it at the same moment', async () => {
    const instance = buildInstance({ rows: 4 });
    const outcomes = await Promise.all([send(instance.bytes), send(instance.bytes)]);
    assert.deepEqual(outcomes.map((o) => o.result).sort(), ['overwritten', 'stored']);
    assert.deepEqual(await instancesOfStudy(instance.studyUid), [instance.sopInstanceUid]);
  });

  it('refuses instances while the disk is below its free-space minimum, naming each, and takes them again once space is freed', async () => {
    const studyUid = newUid();
    const instance = buildInstance({ studyUid, rows: 4 });
    disk.freeBytes = medium.config.ingest.minFreeBytes - 1;
    try {
      await sleep(1_100); // the guard trusts a reading for a second
      await assert.rejects(send(instance.bytes), (err) => refused('out-of-space')(err) && (err as { instance?: { sopInstanceUid?: string } }).instance?.sopInstanceUid === instance.sopInstanceUid);
      assert.deepEqual(await instancesOfStudy(studyUid), []);
    } finally {
      disk.freeBytes = Number.MAX_SAFE_INTEGER;
    }
    await sleep(1_100);
    assert.equal((await send(instance.bytes)).result, 'stored');
    assert.deepEqual(await instancesOfStudy(studyUid), [instance.sopInstanceUid]);
  });

  it('tells listeners of each durable instance once, and a failing listener does not fail the store', async () => {
    const heard: string[] = [];
    ingest.onInstanceStored(() => {
      throw new Error('a listener that fails');
    });
    ingest.onInstanceStored((e) => heard.push(e.sopInstanceUid));
    const studyUid = newUid();
    const sent = [1, 2].map((n) => buildInstance({ studyUid, instanceNumber: n, rows: 4 }));
    for (const instance of sent) assert.equal((await send(instance.bytes)).result, 'stored');
    await assert.rejects(send(Buffer.from('not dicom')), refused('unparsable'));
    assert.deepEqual(heard, sent.map((s) => s.sopInstanceUid));
  });
});
