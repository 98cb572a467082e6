// Corrections of stored data (issue 32): PATCH /api/studies/{s} rewrites every instance with the
// corrected patient and study attributes, seen alike by C-FIND, QIDO-RS, metadata and WADO-RS
// (pixel data byte for byte as stored); a patient merge; a series move; and a correction racing
// with storescu sending the same study loses nothing and leaves no instance with the old values.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findscu, runDcmtk, storescu } from '../support/dcmtk';
import { buildInstance, generateStudy, newUid, writeInstance } from '../support/generator';
import { http, multipartRelated, parseMultipart, value } from '../support/http';
import { countBlobs } from '../support/s3';
import { startTestServer, TestServer } from '../support/server';

const PIXELS = Buffer.from(Array.from({ length: 64 * 64 * 2 }, (_, i) => (i * 7) % 251));

describe('corrections: study attributes, patient merge, series move', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-corrections-'));

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  const api = (method: string, path: string, body: unknown, as = token) =>
    http(`${server.httpUrl}${path}`, { method, token: as, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const qido = async (path: string) => (await http(`${server.httpUrl}/dicomweb/${path}`, { token })).json<Record<string, any>[]>();
  const store = async (files: string[]) => {
    const res = await storescu(server.dimsePort, files);
    assert.deepEqual(res.statuses, files.map(() => '0x0000'), res.stdout + res.stderr);
  };
  const name = (ds: Record<string, any>) => ds['00100010']?.Value?.[0]?.Alphabetic;

  it('corrects patient name and ID: C-FIND, QIDO-RS, metadata and WADO-RS show the new values, pixel data unchanged', async () => {
    const study = generateStudy(join(dir, 'correct'), { series: 2, instancesPerSeries: 2, patientName: 'WRONG^NAME', patientId: 'WRONG-1', pixelData: PIXELS });
    await store(study.files);
    const blobsBefore = await countBlobs(server.dataDir);

    const res = await api('PATCH', `/api/studies/${study.studyUid}`, { patient: { name: 'RIGHT^NAME', id: 'RIGHT-1' }, study: { accessionNumber: 'ACC-FIXED' } });
    assert.equal(res.status, 200, res.body.toString());
    assert.deepEqual(res.json(), { studyUids: [study.studyUid], instancesRewritten: 4 });
    assert.equal(await countBlobs(server.dataDir), blobsBefore, 'each old blob is removed once its replacement is indexed');

    const found = await findscu(server.dimsePort, { keys: ['0008,0052=STUDY', 'PatientID=RIGHT-1', 'PatientName', 'AccessionNumber', `StudyInstanceUID=${study.studyUid}`] });
    assert.equal(found.status, '0x0000');
    assert.equal(found.matches.length, 1, found.stdout);
    assert.equal(found.matches[0]['(0010,0010)'], 'RIGHT^NAME');
    assert.equal(found.matches[0]['(0008,0050)'], 'ACC-FIXED');
    const old = await findscu(server.dimsePort, { keys: ['0008,0052=STUDY', 'PatientID=WRONG-1'] });
    assert.equal(old.matches.length, 0, 'the wrong patient ID matches nothing any more');

    const studies = await qido(`studies?PatientID=RIGHT-1`);
    assert.equal(studies.length, 1);
    assert.equal(name(studies[0]), 'RIGHT^NAME');
    assert.equal(value(studies[0], '00201208'), 4);
    assert.equal((await qido('studies?PatientID=WRONG-1')).length, 0);
    assert.equal((await qido(`studies/${study.studyUid}/instances?PatientName=RIGHT*`)).length, 4);

    const metadata = (await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}/metadata`, { token })).json<Record<string, any>[]>();
    assert.equal(metadata.length, 4);
    for (const ds of metadata) {
      assert.equal(name(ds), 'RIGHT^NAME');
      assert.equal(value(ds, '00100020'), 'RIGHT-1');
      assert.equal(value(ds, '00080050'), 'ACC-FIXED');
    }

    const sop = study.sopInstanceUids[0];
    const wado = await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}/series/${study.seriesUids[0]}/instances/${sop}`, {
      token,
      headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
    });
    assert.equal(wado.status, 200);
    const [part] = parseMultipart(wado.body, wado.headers.get('content-type') ?? '');
    const file = join(dir, 'retrieved.dcm');
    writeFileSync(file, part.body);
    const dump = await runDcmtk('dcmdump', ['-Un', '+P', 'PatientName', '+P', 'PatientID', '+P', 'AccessionNumber', file]);
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(dump.stdout, /\(0010,0010\) PN \[RIGHT\^NAME\]/);
    assert.match(dump.stdout, /\(0010,0020\) LO \[RIGHT-1\]/);
    assert.match(dump.stdout, /\(0008,0050\) SH \[ACC-FIXED\]/);
    assert.ok(part.body.subarray(part.body.length - PIXELS.length).equals(PIXELS), 'pixel data byte for byte as sent');
  });

  it('audits the correction once, naming the old and new patient IDs', async () => {
    const res = await http(`${server.httpUrl}/api/audit?action=110110&patientId=RIGHT-1`, { token });
    assert.equal(res.status, 200);
    const events = res.json<{ items: { actionCode: string; actor: string; details: Record<string, any> }[] }>().items;
    assert.equal(events.length, 1);
    assert.equal(events[0].actionCode, 'U');
    assert.equal(events[0].actor, 'admin');
    assert.deepEqual(events[0].details.old, { patientId: 'WRONG-1', issuer: '', accessionNumber: 'ACC0001' });
    assert.equal(events[0].details.new.patientId, 'RIGHT-1');
    assert.equal(events[0].details.instancesRewritten, 4);
  });

  it('refuses a correction without study:update (403), an unknown study (404) and a bad value (400)', async () => {
    await api('POST', '/api/users', { username: 'tech', password: 'password-123', roles: ['technologist'] });
    const tech = await server.token('tech', 'password-123');
    const forbidden = await api('PATCH', `/api/studies/${newUid()}`, { patient: { name: 'X' } }, tech);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.json().message, /study:update/);
    assert.equal((await api('PATCH', `/api/studies/${newUid()}`, { patient: { name: 'X' } })).status, 404);
    assert.equal((await api('PATCH', `/api/studies/${newUid()}`, { patient: { birthDate: '1980-01-01' } })).status, 400);
    assert.equal((await api('PATCH', `/api/studies/${newUid()}`, { patient: { name: 'A\\B' } })).status, 400);
    assert.equal((await api('PATCH', `/api/studies/${newUid()}`, {})).status, 400);
  });

  it('merges two patients: the studies of one move under the other, which then is the only one', async () => {
    const a = writeInstance(join(dir, 'merge', 'a.dcm'), { patientId: 'MERGE-A', patientName: 'DUP^ONE' });
    const b = writeInstance(join(dir, 'merge', 'b.dcm'), { patientId: 'MERGE-B', patientName: 'KEEP^ONE', patientBirthDate: '19650203' });
    await store([join(dir, 'merge', 'a.dcm'), join(dir, 'merge', 'b.dcm')]);
    const res = await api('POST', '/api/patients/merge', { from: { id: 'MERGE-A' }, to: { id: 'MERGE-B' } });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.json().instancesRewritten, 1);
    const studies = await qido('studies?PatientID=MERGE-B');
    assert.deepEqual(studies.map((s) => value(s, '0020000D')).sort(), [a.studyUid, b.studyUid].sort());
    for (const s of studies) assert.equal(name(s), 'KEEP^ONE');
    const [moved] = (await http(`${server.httpUrl}/dicomweb/studies/${a.studyUid}/metadata`, { token })).json<Record<string, any>[]>();
    assert.equal(value(moved, '00100030'), '19650203');
    assert.equal((await qido('studies?PatientID=MERGE-A')).length, 0);
    const patients = await findscu(server.dimsePort, { root: 'patient', keys: ['0008,0052=PATIENT', 'PatientID=MERGE-A'] });
    assert.equal(patients.matches.length, 0, 'patient MERGE-A is gone');
    assert.equal((await api('POST', '/api/patients/merge', { from: { id: 'MERGE-A' }, to: { id: 'MERGE-B' } })).status, 404);

    // A STOW-RS of the merged study with the old patient: stored with the new one, Warning Reason B000.
    const late = buildInstance({ studyUid: a.studyUid, seriesUid: a.seriesUid, patientId: 'MERGE-A', patientName: 'DUP^ONE' });
    const { body, contentType } = multipartRelated([late.bytes]);
    const stow = await http(`${server.httpUrl}/dicomweb/studies`, { method: 'POST', token, body, headers: { 'content-type': contentType, accept: 'application/dicom+json' } });
    assert.equal(stow.status, 200);
    const [item] = stow.json()['00081199'].Value;
    assert.deepEqual(item['00081196'], { vr: 'US', Value: [0xb000] });
    const stored = (await http(`${server.httpUrl}/dicomweb/studies/${a.studyUid}/metadata`, { token })).json<Record<string, any>[]>();
    assert.deepEqual(stored.map((ds) => value(ds, '00100020')), ['MERGE-B', 'MERGE-B']);
    assert.equal((await qido('studies?PatientID=MERGE-A')).length, 0, 'the coerced store leaves no trace of the old patient');
    assert.equal((await api('POST', '/api/patients/merge', { from: { id: 'MERGE-B' }, to: { id: 'MERGE-B' } })).status, 409);
  });

  it('moves a series to another study: counts of both right, and a study left empty is removed', async () => {
    const source = generateStudy(join(dir, 'move-source'), { series: 2, instancesPerSeries: 2, patientId: 'MOVE-1' });
    const target = generateStudy(join(dir, 'move-target'), { series: 1, instancesPerSeries: 3, patientId: 'MOVE-2', accessionNumber: 'TGT' });
    await store([...source.files, ...target.files]);
    const moved = source.seriesUids[1];
    const res = await api('POST', `/api/series/${moved}/move`, { toStudyUid: target.studyUid });
    assert.equal(res.status, 200, res.body.toString());
    assert.deepEqual(res.json(), { studyUids: [source.studyUid, target.studyUid], instancesRewritten: 2, studiesRemoved: [] });
    const count = async (uid: string) => value((await qido(`studies?StudyInstanceUID=${uid}`))[0] ?? {}, '00201208');
    assert.equal(await count(source.studyUid), 2);
    assert.equal(await count(target.studyUid), 5);
    const inTarget = await qido(`studies/${target.studyUid}/series/${moved}/instances`);
    assert.equal(inTarget.length, 2);
    const [meta] = (await http(`${server.httpUrl}/dicomweb/studies/${target.studyUid}/series/${moved}/metadata`, { token })).json<Record<string, any>[]>();
    assert.equal(value(meta, '0020000D'), target.studyUid);
    assert.equal(value(meta, '00100020'), 'MOVE-2');
    assert.equal(value(meta, '00080050'), 'TGT');

    const last = await api('POST', `/api/series/${source.seriesUids[0]}/move`, { toStudyUid: target.studyUid });
    assert.equal(last.status, 200);
    assert.deepEqual(last.json().studiesRemoved, [source.studyUid]);
    assert.equal((await qido(`studies?StudyInstanceUID=${source.studyUid}`)).length, 0);
    assert.equal(await count(target.studyUid), 7);
    assert.equal((await qido('studies?PatientID=MOVE-1')).length, 0, 'the patient left without a study is gone');
    assert.equal((await api('POST', `/api/series/${moved}/move`, { toStudyUid: target.studyUid })).status, 409);
  });

  it('a correction racing with storescu loses nothing and leaves every instance with the new values, late ones coerced (B000)', async () => {
    const study = generateStudy(join(dir, 'race'), { series: 1, instancesPerSeries: 100, patientName: 'RACE^OLD', patientId: 'RACE-OLD' });
    await store(study.files.slice(0, 10));
    const sending = storescu(server.dimsePort, study.files.slice(10));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const res = await api('PATCH', `/api/studies/${study.studyUid}`, { patient: { name: 'RACE^NEW', id: 'RACE-NEW' } });
    assert.equal(res.status, 200, res.body.toString());
    const sent = await sending;
    assert.equal(sent.statuses.length, 90, sent.stdout + sent.stderr);
    assert.ok(sent.statuses.every((s) => s === '0x0000' || s === '0xb000'), sent.statuses.join(' '));
    // Each instance was either indexed before the correction's locks (rewritten by it) or coerced on receipt.
    const coerced = sent.statuses.filter((s) => s === '0xb000').length;
    assert.ok(res.json().instancesRewritten + coerced >= 100, `${res.json().instancesRewritten} rewritten + ${coerced} coerced`);

    const late = writeInstance(join(dir, 'race-late.dcm'), { studyUid: study.studyUid, seriesUid: study.seriesUids[0], patientName: 'RACE^OLD', patientId: 'RACE-OLD' });
    const lateSent = await storescu(server.dimsePort, [join(dir, 'race-late.dcm')]);
    assert.deepEqual(lateSent.statuses, ['0xb000'], 'an instance arriving after the correction with the old values is coerced');

    const instances = await qido(`studies/${study.studyUid}/instances?limit=1000`);
    assert.equal(instances.length, 101);
    const metadata = (await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}/metadata`, { token })).json<Record<string, any>[]>();
    assert.equal(metadata.length, 101);
    assert.deepEqual(metadata.filter((ds) => value(ds, '00100020') !== 'RACE-NEW' || name(ds) !== 'RACE^NEW').map((ds) => value(ds, '00080018')), []);
    assert.ok(metadata.some((ds) => value(ds, '00080018') === late.sopInstanceUid));
    const [summary] = await qido(`studies?StudyInstanceUID=${study.studyUid}`);
    assert.equal(value(summary, '00201208'), 101);
    assert.equal(value(summary, '00100020'), 'RACE-NEW');
    assert.equal((await qido('studies?PatientID=RACE-OLD')).length, 0);
  });
});
