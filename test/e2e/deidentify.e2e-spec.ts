// De-identification (PS3.15 Annex E Basic Profile): POST /api/studies/{s}/deidentify stores a
// de-identified copy beside the original; a CT, an MR and an SR (nested content, private tags)
// checked attribute by attribute against the generated Table E.1-1, with dcmdump reading the
// retrieved files; two studies of one patient get one pseudonym. Also the de-identified ZIP export.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pseudonyms } from '../../libs/deid/src/pseudonyms';
import { movescu, startStorescp, Storescp, storescu } from '../support/dcmtk';
import { assertDeidentifiedLike, deidCorpus, IDENTIFYING, readDataset } from '../support/deid-corpus';
import { buildInstance, newUid } from '../support/generator';
import { http, parseMultipart, value } from '../support/http';
import { freePort } from '../support/ports';
import { startTestServer, TestServer } from '../support/server';

const SECRET = 'e2e-deid-secret-0123456789';
const keys = new Pseudonyms(SECRET);

describe('de-identified copies of stored studies (PS3.15 E.1)', () => {
  let server: TestServer;
  let token: string;
  let research: Storescp;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-deid-'));
  const researchDir = mkdtempSync(join(tmpdir(), 'pacs-deid-research-'));
  const corpus = deidCorpus();
  const originals = { ct: corpus.ct, mr: corpus.mr, sr: corpus.sr };

  before(async () => {
    const researchPort = await freePort();
    research = await startStorescp(researchPort, researchDir, 'RESEARCH');
    server = await startTestServer({
      env: { PACS_DEID_SECRET: SECRET },
      peers: [
        { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get'] },
        // A research partner: what a C-MOVE sends it is de-identified.
        { aeTitle: 'RESEARCH', host: '127.0.0.1', port: researchPort, services: ['echo'], deidentify: { profile: 'basic', options: ['modified-dates'] } },
        // A research intake node: what it sends is de-identified before it is stored.
        { aeTitle: 'INTAKE', host: '127.0.0.1', port: 1, services: ['store'], deidentifyOnReceive: { profile: 'basic' } },
      ],
    });
    token = await server.token();
    const files = Object.entries(originals).map(([name, instance]) => {
      const file = join(dir, `${name}.dcm`);
      writeFileSync(file, instance.bytes);
      return file;
    });
    const res = await storescu(server.dimsePort, files);
    assert.deepEqual(res.statuses, files.map(() => '0x0000'), res.stdout + res.stderr);
  });
  after(async () => {
    await server?.stop();
    await research?.stop();
  });

  const api = (path: string, body: unknown, as = token) =>
    http(`${server.httpUrl}${path}`, { method: 'POST', token: as, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const retrieve = async (studyUid: string, seriesUid: string, sopInstanceUid: string) => {
    const res = await http(`${server.httpUrl}/dicomweb/studies/${studyUid}/series/${seriesUid}/instances/${sopInstanceUid}`, {
      token,
      headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
    });
    assert.equal(res.status, 200, res.body.toString());
    return parseMultipart(res.body, res.headers.get('content-type') ?? '')[0].body;
  };

  it('stores a copy of each study beside the original and answers its new Study Instance UID', async () => {
    for (const study of [corpus.ct.studyUid, corpus.mr.studyUid]) {
      const res = await api(`/api/studies/${study}/deidentify`, { profile: 'basic', options: [] });
      assert.equal(res.status, 200, res.body.toString());
      assert.deepEqual(res.json(), { sourceStudyUid: study, studyUid: keys.uid(study), instances: study === corpus.ct.studyUid ? 2 : 1 });
    }
    const studies = (await http(`${server.httpUrl}/dicomweb/studies`, { token })).json<Record<string, { Value?: unknown[] }>[]>();
    const uids = studies.map((s) => value(s, '0020000D'));
    for (const study of [corpus.ct.studyUid, corpus.mr.studyUid]) {
      assert.ok(uids.includes(study), 'the original stays');
      assert.ok(uids.includes(keys.uid(study)), 'the copy is there');
    }
  });

  for (const kind of ['ct', 'mr', 'sr'] as const) {
    it(`${kind.toUpperCase()}: the retrieved copy follows Table E.1-1 attribute by attribute, and dcmdump finds nothing identifying`, async () => {
      const original = originals[kind];
      const bytes = await retrieve(keys.uid(original.studyUid), keys.uid(original.seriesUid), keys.uid(original.sopInstanceUid));
      assertDeidentifiedLike(readDataset(original.bytes), readDataset(bytes), []);
      const file = join(dir, `${kind}-deid.dcm`);
      writeFileSync(file, bytes);
      const dump = execFileSync('dcmdump', ['-Un', '+L', file], { encoding: 'latin1' });
      assert.match(dump, /\(0012,0062\) CS \[YES\]/);
      assert.match(dump, /\(0008,0100\) SH \[113100\]/);
      for (const word of IDENTIFYING) assert.ok(!dump.includes(word), `${word} survived:\n${dump}`);
      assert.ok(!/^\s*\(\p{Hex_Digit}{3}[13579bdf],/imu.test(dump), `a private attribute survived:\n${dump}`);
    });
  }

  it('gives the two studies of one patient one pseudonymous Patient ID and name', async () => {
    const patientOf = async (study: string) =>
      (await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${keys.uid(study)}&includefield=00100010`, { token })).json<Record<string, { Value?: unknown[] }>[]>()[0];
    const [a, b] = [await patientOf(corpus.ct.studyUid), await patientOf(corpus.mr.studyUid)];
    assert.equal(value(a, '00100020'), keys.patient('PAT-77812', 'MERCY').id);
    assert.equal(value(a, '00100020'), value(b, '00100020'));
    assert.deepEqual(value(a, '00100010'), value(b, '00100010'));
  });

  it('refuses a role without study:deidentify (403), an unknown option (400) and an unknown study (404)', async () => {
    await api('/api/users', { username: 'tech', password: 'password-123', roles: ['technologist'] });
    const tech = await server.token('tech', 'password-123');
    assert.equal((await api(`/api/studies/${corpus.ct.studyUid}/deidentify`, { profile: 'basic' }, tech)).status, 403);
    assert.equal((await api(`/api/studies/${corpus.ct.studyUid}/deidentify`, { profile: 'basic', options: ['retain-uids'] })).status, 400);
    assert.equal((await api('/api/studies/1.2.3.999/deidentify', { profile: 'basic' })).status, 404);
  });

  it('exports studies as a de-identified ZIP: dcmftest accepts the files, the DICOMDIR lists the copies under the pseudonym', async () => {
    const res = await api('/api/exports', { studies: [corpus.ct.studyUid, corpus.mr.studyUid], deidentify: { profile: 'basic', options: ['modified-dates'] } });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.headers.get('content-type'), 'application/zip');
    const out = mkdtempSync(join(tmpdir(), 'pacs-deid-zip-'));
    writeFileSync(join(out, 'export.zip'), res.body);
    execFileSync('unzip', ['-q', 'export.zip', '-d', 'media'], { cwd: out });
    const files: string[] = [];
    const walk = (d: string): void => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : files.push(join(d, n))));
    walk(join(out, 'media', 'DICOM'));
    assert.equal(files.length, 3);
    execFileSync('dcmftest', files);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const word of IDENTIFYING) assert.ok(!bytes.includes(Buffer.from(word, 'latin1')), `${word} survived in ${file}`);
      assert.equal(value(readDataset(bytes) as never, '00120062'), 'YES');
    }
    const dicomdir = execFileSync('dcmdump', ['-Un', join(out, 'media', 'DICOMDIR')], { encoding: 'latin1' });
    assert.equal(dicomdir.match(/\(0004,1430\) CS \[IMAGE ?\]/g)?.length, 2);
    assert.equal(dicomdir.match(/\(0004,1430\) CS \[SR DOCUMENT ?\]/g)?.length, 1);
    assert.equal(dicomdir.match(/\(0004,1430\) CS \[PATIENT ?\]/g)?.length, 1, 'one patient: one pseudonym');
    assert.ok(dicomdir.includes(keys.patient('PAT-77812', 'MERCY').id));
    for (const study of [corpus.ct.studyUid, corpus.mr.studyUid]) assert.ok(dicomdir.includes(keys.uid(study)));
    for (const word of IDENTIFYING) assert.ok(!dicomdir.includes(word), `${word} in the DICOMDIR`);
  });

  it('C-MOVE to a de-identifying peer: storescp receives de-identified copies, the archive keeps the originals', async () => {
    const res = await movescu(server.dimsePort, 'RESEARCH', { keys: ['0008,0052=STUDY', `0020,000D=${corpus.ct.studyUid}`] });
    assert.equal(res.status, '0x0000', res.stdout + res.stderr);
    const received = readdirSync(researchDir);
    assert.deepEqual(received.map((n) => n.replace(/^[A-Za-z]+\./, '')).sort(), [corpus.ct.sopInstanceUid, corpus.sr.sopInstanceUid].map((u) => keys.uid(u)).sort());
    for (const name of received) {
      const bytes = readFileSync(join(researchDir, name));
      const kind = name.startsWith('SR') ? 'sr' : 'ct'; // storescp names files <modality prefix>.<SOP Instance UID>
      assertDeidentifiedLike(readDataset(originals[kind].bytes), readDataset(bytes), ['modified-dates']);
      for (const word of IDENTIFYING) assert.ok(!bytes.includes(Buffer.from(word, 'latin1')), `${word} reached the research peer`);
    }
    const original = (await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${corpus.ct.studyUid}`, { token })).json<Record<string, { Value?: unknown[] }>[]>();
    assert.equal(value(original[0], '00100020'), 'PAT-77812', 'the stored original is untouched');
  });

  it('deidentifyOnReceive: what the intake peer sends is stored only as a de-identified copy', async () => {
    const fresh = deidCorpus().ct;
    const file = join(dir, 'intake.dcm');
    writeFileSync(file, fresh.bytes);
    const res = await storescu(server.dimsePort, [file], { callingAe: 'INTAKE' });
    assert.deepEqual(res.statuses, ['0x0000'], res.stdout + res.stderr);
    const find = async (uid: string) => (await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${uid}`, { token })).json<Record<string, { Value?: unknown[] }>[]>();
    assert.equal((await find(fresh.studyUid)).length, 0, 'the identified original is not stored');
    const [copy] = await find(keys.uid(fresh.studyUid));
    assert.equal(value(copy, '00100020'), keys.patient('PAT-77812', 'MERCY').id, 'the same patient, the same pseudonym');
    const bytes = await retrieve(keys.uid(fresh.studyUid), keys.uid(fresh.seriesUid), keys.uid(fresh.sopInstanceUid));
    assertDeidentifiedLike(readDataset(fresh.bytes), readDataset(bytes), []);
  });

  it('shows and changes a peer\'s de-identification over /api/peers, refusing an unknown option (400)', async () => {
    const peer = (await http(`${server.httpUrl}/api/peers/RESEARCH`, { token })).json();
    assert.deepEqual(peer.deidentify, { profile: 'basic', options: ['modified-dates'] });
    assert.equal(peer.deidentifyOnReceive, null);
    const patch = (body: unknown) =>
      http(`${server.httpUrl}/api/peers/INTAKE`, { method: 'PATCH', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await patch({ deidentifyOnReceive: { profile: 'basic', options: ['retain-uids'] } })).status, 400);
    const changed = await patch({ deidentifyOnReceive: { profile: 'basic', options: ['clean-descriptors'] } });
    assert.equal(changed.status, 200, changed.body.toString());
    assert.deepEqual(changed.json().deidentifyOnReceive, { profile: 'basic', options: ['clean-descriptors'] });
  });

  it('audits a copy as DICOM Instances Accessed, Create, naming the original and the copy', async () => {
    const res = await http(`${server.httpUrl}/api/audit?studyUid=${keys.uid(corpus.mr.studyUid)}&action=110103`, { token });
    assert.equal(res.status, 200, res.body.toString());
    const [event] = res.json().items;
    assert.ok(event, 'no Instances Accessed event names the copy');
    assert.equal(event.actionCode, 'C');
    assert.equal(event.outcome, 0);
    assert.deepEqual([...event.studyUids].sort(), [corpus.mr.studyUid, keys.uid(corpus.mr.studyUid)].sort());
  });

  it('refuses a study with burned-in annotation (422: copy and export) and stores nothing of it, unless the option allows it', async () => {
    const studyUid = newUid();
    const files = [{}, { BurnedInAnnotation: 'YES' }].map((extra, i) => {
      const file = join(dir, `burned-${i}.dcm`);
      writeFileSync(file, buildInstance({ studyUid, instanceNumber: i + 1, extra }).bytes);
      return file;
    });
    assert.deepEqual((await storescu(server.dimsePort, files)).statuses, ['0x0000', '0x0000']);
    const refused = await api(`/api/studies/${studyUid}/deidentify`, { profile: 'basic' });
    assert.equal(refused.status, 422, refused.body.toString());
    assert.match(refused.json().message, /Burned In Annotation/);
    const copies = () => http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${keys.uid(studyUid)}`, { token }).then((r) => r.json<unknown[]>());
    assert.equal((await copies()).length, 0, 'nothing of the study is copied');
    const zip = await api('/api/exports', { studies: [studyUid], deidentify: { profile: 'basic' } });
    assert.equal(zip.status, 422, 'a de-identified export is refused before its first byte');
    assert.match(zip.json().message, /Burned In Annotation/);
    const allowed = await api(`/api/studies/${studyUid}/deidentify`, { profile: 'basic', options: ['allow-burned-in-annotation'] });
    assert.equal(allowed.status, 200, allowed.body.toString());
    assert.equal(allowed.json().instances, 2);
  });
});
