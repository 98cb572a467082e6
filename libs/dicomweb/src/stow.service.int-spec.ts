// StowService on a real PostgreSQL with the real index and blob store (medium tier): STOW-RS
// requests as a client sends them (PS3.18 10.5), the response status and body it gets, and
// what the index then counts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { DicomJson } from '@pacs/dicom';
import { IndexModule, QueryService } from '@pacs/index';
import { buildInstance, newUid } from '../../../test/support/generator';
import { multipartRelated } from '../../../test/support/http';
import { newMediumService, MediumService } from '../../../test/support/medium';
import { DomainError } from '@pacs/errors';
import { StowRequest, StowService } from './stow.service';

const BASE = 'http://pacs.test/dicomweb';

/** A multipart/related request of these parts, as POST /studies[/{study}] hands it over. */
function request(parts: Buffer[], extra: Partial<StowRequest> = {}): StowRequest {
  const { body, contentType } = multipartRelated(parts);
  return { body: Readable.from([body]), contentType, baseUrl: BASE, actor: 'ris', ...extra };
}

const items = (body: DicomJson, tag: string) => (body[tag]?.Value ?? []) as DicomJson[];
const referenced = (body: DicomJson) => items(body, '00081199').map((i) => i['00081155'].Value?.[0]);
const failures = (body: DicomJson) => items(body, '00081198').map((i) => [i['00081155']?.Value?.[0], i['00081197'].Value?.[0]]);

async function stowService(env: Record<string, string> = {}): Promise<MediumService<StowService>> {
  return newMediumService(StowService, { imports: [IndexModule], env });
}

async function instancesOfStudy(medium: MediumService<StowService>, studyUid: string): Promise<number | undefined> {
  const page = await medium.get(QueryService).search({ level: 'study', match: { StudyInstanceUID: studyUid } });
  return page.results[0]?.['00201208'].Value?.[0] as number | undefined;
}

describe('STOW-RS (medium: real PostgreSQL and blob store)', () => {
  let medium: MediumService<StowService>;

  before(async () => {
    medium = await stowService();
  });

  after(() => medium?.close());

  it('stores every instance of a request: 200, each referenced with its Retrieve URL, the study counted', async () => {
    const studyUid = newUid();
    const sent = [1, 2, 3].map((n) => buildInstance({ studyUid, instanceNumber: n, rows: 4 }));
    const { status, body } = await medium.sut.store(request(sent.map((s) => s.bytes)));
    assert.equal(status, 200);
    assert.deepEqual(referenced(body), sent.map((s) => s.sopInstanceUid));
    assert.equal(body['00081190'].Value?.[0], `${BASE}/studies/${studyUid}`);
    const [first] = items(body, '00081199');
    assert.equal(first['00081190'].Value?.[0], `${BASE}/studies/${studyUid}/series/${sent[0].seriesUid}/instances/${sent[0].sopInstanceUid}`);
    assert.equal(await instancesOfStudy(medium, studyUid), 3);
  });

  it('stores a single application/dicom body', async () => {
    const sent = buildInstance({ rows: 4 });
    const { status, body } = await medium.sut.store({ body: Readable.from([sent.bytes]), contentType: 'application/dicom', baseUrl: BASE });
    assert.equal(status, 200);
    assert.deepEqual(referenced(body), [sent.sopInstanceUid]);
    assert.equal(await instancesOfStudy(medium, sent.studyUid), 1);
  });

  it('answers 202 when some parts fail, with the reason of each: not DICOM 0xC000, another study 0xA900', async () => {
    const studyUid = newUid();
    const good = buildInstance({ studyUid, rows: 4 });
    const elsewhere = buildInstance({ rows: 4 });
    const { status, body } = await medium.sut.store(request([good.bytes, Buffer.from('not dicom'), elsewhere.bytes], { studyUid }));
    assert.equal(status, 202);
    assert.deepEqual(referenced(body), [good.sopInstanceUid]);
    assert.deepEqual(failures(body), [
      [undefined, 0xc000],
      [elsewhere.sopInstanceUid, 0xa900],
    ]);
    assert.equal(await instancesOfStudy(medium, studyUid), 1);
    assert.equal(await instancesOfStudy(medium, elsewhere.studyUid), undefined);
  });

  it('overwrites an instance sent again (the default policy): 200 and the study still counts it once', async () => {
    const sent = buildInstance({ rows: 4 });
    await medium.sut.store(request([sent.bytes]));
    const { status, body } = await medium.sut.store(request([sent.bytes]));
    assert.equal(status, 200);
    assert.deepEqual(referenced(body), [sent.sopInstanceUid]);
    assert.equal(await instancesOfStudy(medium, sent.studyUid), 1);
  });

  it('refuses a request it cannot read before storing anything: 415 for another media type, 400 without instances', async () => {
    const sent = buildInstance({ rows: 4 });
    const json = { ...request([sent.bytes]), contentType: 'application/dicom+json' };
    await assert.rejects(medium.sut.store(json), (err) => err instanceof DomainError && err.code === 'unsupported-media-type');
    await assert.rejects(medium.sut.store(request([])), (err) => err instanceof DomainError && err.code === 'bad-request');
    assert.equal(await instancesOfStudy(medium, sent.studyUid), undefined);
  });
});

describe('STOW-RS with PACS_DUPLICATE_POLICY=reject (medium)', () => {
  let medium: MediumService<StowService>;

  before(async () => {
    medium = await stowService({ PACS_DUPLICATE_POLICY: 'reject' });
  });

  after(() => medium?.close());

  it('answers 409 with Duplicate SOP Instance (0x0111) for an instance already stored, and keeps the first', async () => {
    const sent = buildInstance({ rows: 4 });
    assert.equal((await medium.sut.store(request([sent.bytes]))).status, 200);
    const { status, body } = await medium.sut.store(request([sent.bytes]));
    assert.equal(status, 409);
    assert.deepEqual(failures(body), [[sent.sopInstanceUid, 0x0111]]);
    assert.equal(await instancesOfStudy(medium, sent.studyUid), 1);
  });
});
