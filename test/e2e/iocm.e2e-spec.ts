// IHE IOCM rejection end to end: a Key Object Selection titled with a CID 7011 code, sent by
// storescu or STOW-RS, hides the instances it references from C-FIND, QIDO-RS, WADO-RS, C-GET
// and C-MOVE (study and series counts follow); GET /api/rejections lists them, DELETE restores
// them on every path; past PACS_REJECTED_RETENTION_DAYS their rows and blobs are gone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findscu, getscu, movescu, startStorescp, Storescp, storescu } from '../support/dcmtk';
import { CT_IMAGE_STORAGE, generateStudy } from '../support/generator';
import { http, multipartRelated, parseMultipart, value } from '../support/http';
import { freePort } from '../support/ports';
import { buildRejectionNote, NoteSpec, writeRejectionNote } from '../support/rejection-note';
import { countBlobs } from '../support/s3';
import { startTestServer, TestServer } from '../support/server';

const QUALITY = { code: '113001', meaning: 'Rejected for Quality Reasons' };
const PATIENT_SAFETY = { code: '113037', meaning: 'Rejected for Patient Safety Reasons' };

describe('IOCM rejection: hidden on every path, listed, restored', () => {
  let server: TestServer;
  let storescp: Storescp;
  let token: string;
  let seq = 0;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-iocm-'));
  const moveDir = join(dir, 'moved');
  // Series 0: i1, i2; series 1: i3, i4.
  const study = generateStudy(join(dir, 'study'), { series: 2, instancesPerSeries: 2, patientId: 'IOCM-1', studyDate: '20260102' });
  const [i1, i2, i3, i4] = study.sopInstanceUids;
  const [s1, s2] = study.seriesUids;
  const file = (uid: string) => study.files[study.sopInstanceUids.indexOf(uid)];
  const seriesOf = (uid: string) => (study.sopInstanceUids.indexOf(uid) < 2 ? s1 : s2);
  const noteFor = (title: { code: string; meaning: string }, uids: string[], scheme?: string): NoteSpec => ({
    ...title,
    scheme,
    patientId: 'IOCM-1',
    referenced: {
      studyUid: study.studyUid,
      sopClassUid: CT_IMAGE_STORAGE,
      series: [s1, s2].map((seriesUid) => ({ seriesUid, sopInstanceUids: uids.filter((u) => seriesOf(u) === seriesUid) })).filter((s) => s.sopInstanceUids.length > 0),
    },
  });
  const sendNote = async (spec: NoteSpec) => {
    const path = join(dir, `note-${++seq}.dcm`);
    const note = writeRejectionNote(path, spec);
    const res = await storescu(server.dimsePort, [path]);
    assert.deepEqual(res.statuses, ['0x0000'], res.stdout + res.stderr);
    return note.sopInstanceUid;
  };

  const web = (path: string) => `${server.httpUrl}/dicomweb${path}`;
  const qidoInstances = async () => {
    const res = await http(web(`/studies/${study.studyUid}/instances`), { token });
    return res.status === 204 ? [] : res.json<Record<string, any>[]>().map((i) => String(value(i, '00080018')));
  };
  const qidoStudy = async () => (await http(web(`/studies?StudyInstanceUID=${study.studyUid}`), { token })).json<Record<string, any>[]>()[0];
  const wado = (uid: string) => http(web(`/studies/${study.studyUid}/series/${seriesOf(uid)}/instances/${uid}`), { token, headers: { accept: 'application/dicom' } });
  const metadataOfSeries1 = async () => {
    const res = await http(web(`/studies/${study.studyUid}/series/${s1}/metadata`), { token });
    assert.equal(res.status, 200);
    return res.json<Record<string, any>[]>().map((i) => String(value(i, '00080018')));
  };
  const cfindImages = async () => {
    const res = await findscu(server.dimsePort, { keys: ['0008,0052=IMAGE', `0020,000D=${study.studyUid}`, '0020,000E', '0008,0018'] });
    assert.equal(res.status, '0x0000', res.stdout);
    return res.matches.map((m) => m['(0008,0018)']);
  };
  const cget = async () => {
    const into = join(dir, `get-${++seq}`);
    mkdirSync(into);
    const res = await getscu(server.dimsePort, into, { keys: ['0008,0052=STUDY', `0020,000D=${study.studyUid}`] });
    assert.equal(res.status, '0x0000', res.stdout);
    return readdirSync(into).map((f) => f.replace(/^[A-Z]+\./, ''));
  };
  const cmove = async () => {
    for (const f of readdirSync(moveDir)) rmSync(join(moveDir, f));
    const res = await movescu(server.dimsePort, 'DEST', { keys: ['0008,0052=STUDY', `0020,000D=${study.studyUid}`] });
    assert.equal(res.status, '0x0000', res.stdout);
    return readdirSync(moveDir).map((f) => f.replace(/^[A-Z]+\./, ''));
  };
  const rejections = async () => {
    const res = await http(`${server.httpUrl}/api/rejections?studyUid=${study.studyUid}`, { token });
    assert.equal(res.status, 200, res.body.toString());
    return res.json<Record<string, string>[]>();
  };
  const restore = (uid: string, as = token) => http(`${server.httpUrl}/api/rejections/${uid}`, { method: 'DELETE', token: as });
  const sorted = (uids: string[]) => [...uids].sort();

  before(async () => {
    const destPort = await freePort();
    server = await startTestServer({
      peers: [
        { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get'] },
        { aeTitle: 'DEST', host: '127.0.0.1', port: destPort, services: ['store'] },
      ],
    });
    token = await server.token();
    mkdirSync(moveDir);
    storescp = await startStorescp(destPort, moveDir, 'DEST');
    const res = await storescu(server.dimsePort, study.files);
    assert.deepEqual(res.statuses, study.files.map(() => '0x0000'), res.stdout + res.stderr);
  });
  after(async () => {
    await storescp?.stop();
    await server?.stop();
  });

  let qualityNote = '';

  it('a Rejected for Quality Reasons KOS from storescu hides i1 and all of series 2 from C-FIND, QIDO-RS, WADO-RS, C-GET and C-MOVE', async () => {
    const blobsBefore = await countBlobs(server.dataDir);
    assert.deepEqual(sorted(await metadataOfSeries1()), sorted([i1, i2]), 'series metadata, now cached');
    qualityNote = await sendNote(noteFor(QUALITY, [i1, i3, i4]));
    assert.deepEqual(await metadataOfSeries1(), [i2], 'WADO-RS series metadata (the cache follows)');
    const visible = sorted([i2, qualityNote]);
    assert.deepEqual(sorted(await cfindImages()), visible, 'C-FIND IMAGE');
    assert.deepEqual(sorted(await qidoInstances()), visible, 'QIDO-RS instances');
    for (const uid of [i1, i3, i4]) assert.equal((await wado(uid)).status, 404, `WADO-RS ${uid}`);
    assert.equal((await http(web(`/studies/${study.studyUid}/series/${s2}`), { token, headers: { accept: 'multipart/related; type="application/dicom"' } })).status, 404, 'WADO-RS series 2');
    assert.deepEqual(sorted(await cget()), visible, 'C-GET study');
    assert.deepEqual(sorted(await cmove()), visible, 'C-MOVE study');
    // Counts follow: i2 and the note, in series 1 and the note's series; series 2 is gone.
    const s = await qidoStudy();
    assert.equal(value(s, '00201208'), 2, 'NumberOfStudyRelatedInstances');
    assert.equal(value(s, '00201206'), 2, 'NumberOfStudyRelatedSeries');
    assert.deepEqual(s['00080061'].Value.sort(), ['CT', 'KO'], 'ModalitiesInStudy');
    const series = await findscu(server.dimsePort, { keys: ['0008,0052=SERIES', `0020,000D=${study.studyUid}`, '0020,000E'] });
    assert.ok(!series.matches.some((m) => m['(0020,000e)'] === s2 || m['(0020,000E)'] === s2), 'C-FIND SERIES has no series 2');
    assert.equal(series.matches.length, 2);
    // The bytes stay until the retention ends: only the note was added.
    assert.equal(await countBlobs(server.dataDir), blobsBefore + 1);
  });

  it('GET /api/rejections lists each rejected instance with reason, note, sender and time', async () => {
    const rows = await rejections();
    assert.deepEqual(sorted(rows.map((r) => r.sopInstanceUid)), sorted([i1, i3, i4]));
    const row = rows.find((r) => r.sopInstanceUid === i3)!;
    assert.equal(row.studyUid, study.studyUid);
    assert.equal(row.seriesUid, s2);
    assert.equal(row.sopClassUid, CT_IMAGE_STORAGE);
    assert.equal(row.reasonCode, '113001');
    assert.equal(row.reasonMeaning, 'Rejected for Quality Reasons');
    assert.equal(row.rejectionNoteUid, qualityNote);
    assert.equal(row.rejectedBy, 'TESTSCU');
    assert.ok(Date.now() - Date.parse(row.rejectedAt) < 120_000, row.rejectedAt);
    assert.equal(row.patientId, undefined, 'no patient data in the list');
  });

  it('refuses a rejected instance sent again (0xA771) and keeps it rejected', async () => {
    const res = await storescu(server.dimsePort, [file(i1)], { extraArgs: ['-d'] });
    assert.deepEqual(res.statuses, ['0xa771'], res.stdout + res.stderr);
    assert.ok(!(await qidoInstances()).includes(i1));
  });

  it('audits the rejection as DICOM Instances Accessed, action Delete, by the note\'s sender', async () => {
    const res = await http(`${server.httpUrl}/api/audit?action=110103&studyUid=${study.studyUid}`, { token });
    assert.equal(res.status, 200);
    const event = res.json().items.find((e: any) => e.actionCode === 'D');
    assert.ok(event, JSON.stringify(res.json()));
    assert.equal(event.actor, 'TESTSCU');
    assert.equal(event.patientId, 'IOCM-1');
    assert.equal(event.details.rejectionNoteUid, qualityNote);
    assert.deepEqual(event.details.rejection, { code: '113001', scheme: 'DCM', meaning: 'Rejected for Quality Reasons' });
    assert.deepEqual(sorted(event.details.sopInstanceUids), sorted([i1, i3, i4]));
  });

  it('refuses list and restore without study:delete (403)', async () => {
    await http(`${server.httpUrl}/api/users`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'rad', password: 'password-123', roles: ['radiologist'] }),
    });
    const rad = await server.token('rad', 'password-123');
    assert.equal((await http(`${server.httpUrl}/api/rejections`, { token: rad })).status, 403);
    assert.equal((await restore(i1, rad)).status, 403);
    assert.equal((await rejections()).length, 3);
  });

  it('DELETE /api/rejections/{uid} restores: i1 and series 2 are back on every path, pixel data unchanged', async () => {
    for (const uid of [i1, i3, i4]) assert.equal((await restore(uid)).status, 204, uid);
    assert.equal((await restore(i1)).status, 404, 'a second restore finds nothing');
    assert.deepEqual(await rejections(), []);
    const all = sorted([i1, i2, i3, i4, qualityNote]);
    assert.deepEqual(sorted(await cfindImages()), all, 'C-FIND IMAGE');
    assert.deepEqual(sorted(await qidoInstances()), all, 'QIDO-RS instances');
    assert.deepEqual(sorted(await metadataOfSeries1()), sorted([i1, i2]), 'WADO-RS series metadata');
    for (const uid of [i1, i3, i4]) {
      const res = await wado(uid);
      assert.equal(res.status, 200, `WADO-RS ${uid}`);
      const original = readFileSync(file(uid));
      assert.ok(res.body.subarray(-8192).equals(original.subarray(-8192)), `pixel data of ${uid} unchanged`);
    }
    assert.deepEqual(sorted(await cget()), all, 'C-GET study');
    assert.deepEqual(sorted(await cmove()), all, 'C-MOVE study');
    const s = await qidoStudy();
    assert.equal(value(s, '00201208'), 5);
    assert.equal(value(s, '00201206'), 3);
    const audit = await http(`${server.httpUrl}/api/audit?action=110103&studyUid=${study.studyUid}`, { token });
    assert.equal(audit.json().items.filter((e: any) => e.actionCode === 'U').length, 3, 'one Update event per restore');
  });

  it('a Rejected for Patient Safety Reasons KOS sent by STOW-RS hides i2 the same way, and it restores', async () => {
    const note = buildRejectionNote(noteFor(PATIENT_SAFETY, [i2]));
    const { body, contentType } = multipartRelated([note.bytes]);
    const stow = await http(web('/studies'), { method: 'POST', token, body, headers: { 'content-type': contentType, accept: 'application/dicom+json' } });
    assert.equal(stow.status, 200, stow.body.toString());
    assert.ok(!(await qidoInstances()).includes(i2));
    assert.ok(!(await cfindImages()).includes(i2));
    assert.equal((await wado(i2)).status, 404);
    const [row] = await rejections();
    assert.equal(row.reasonCode, '113037');
    assert.equal(row.rejectedBy, 'admin');
    assert.equal((await restore(i2)).status, 204);
    assert.equal((await wado(i2)).status, 200);
  });

  it('a KOS with another title (113000 Of Interest, or 113001 of another scheme) is stored as an ordinary document', async () => {
    const ofInterest = await sendNote(noteFor({ code: '113000', meaning: 'Of Interest' }, [i1]));
    const otherScheme = await sendNote(noteFor(QUALITY, [i3], '99LOCAL'));
    const visible = await qidoInstances();
    for (const uid of [i1, i3, ofInterest, otherScheme]) assert.ok(visible.includes(uid), uid);
    assert.deepEqual(await rejections(), []);
  });
});

describe('IOCM rejection: deleted for good after the retention', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-iocm-retention-'));
  const study = generateStudy(join(dir, 'study'), { series: 1, instancesPerSeries: 2, patientId: 'IOCM-2' });
  const [kept, rejected] = study.sopInstanceUids;

  before(async () => {
    // About 1.7 s of retention, swept every second.
    server = await startTestServer({ env: { PACS_REJECTED_RETENTION_DAYS: '0.00002', PACS_REJECTED_SWEEP_SECONDS: '1' } });
    token = await server.token();
    const res = await storescu(server.dimsePort, study.files);
    assert.deepEqual(res.statuses, ['0x0000', '0x0000'], res.stdout + res.stderr);
  });
  after(async () => {
    await server?.stop();
  });

  it('removes the rejected row and its blob, audits a Study Deleted, and the UID can be stored again', async () => {
    const notePath = join(dir, 'note.dcm');
    writeRejectionNote(notePath, {
      ...QUALITY,
      patientId: 'IOCM-2',
      referenced: { studyUid: study.studyUid, sopClassUid: CT_IMAGE_STORAGE, series: [{ seriesUid: study.seriesUids[0], sopInstanceUids: [rejected] }] },
    });
    assert.deepEqual((await storescu(server.dimsePort, [notePath])).statuses, ['0x0000']);
    assert.equal(await countBlobs(server.dataDir), 3, 'two instances and the note: the rejected blob is still there');
    const list = async () => (await http(`${server.httpUrl}/api/rejections`, { token })).json<unknown[]>();
    let left = await list();
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await list();
    }
    assert.deepEqual(left, [], 'expired from /api/rejections within 10 s');
    let blobs = await countBlobs(server.dataDir);
    for (let i = 0; i < 50 && blobs !== 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      blobs = await countBlobs(server.dataDir);
    }
    assert.equal(blobs, 2, 'the rejected blob is removed');
    assert.equal((await http(`${server.httpUrl}/api/rejections/${rejected}`, { method: 'DELETE', token })).status, 404);
    const deleted = await http(`${server.httpUrl}/api/audit?action=110105&studyUid=${study.studyUid}`, { token });
    const event = deleted.json().items[0];
    assert.ok(event, JSON.stringify(deleted.json()));
    assert.equal(event.actorType, 'system');
    assert.equal(event.actor, 'PACS', 'the archive, by its AE title');
    assert.deepEqual(event.details.sopInstanceUids, [rejected]);
    const qido = await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}/instances`, { token });
    assert.ok(!qido.json().some((i: any) => value(i, '00080018') === rejected));
    assert.ok(qido.json().some((i: any) => value(i, '00080018') === kept));
    const again = await storescu(server.dimsePort, [study.files[1]]);
    assert.deepEqual(again.statuses, ['0x0000'], 'a deleted instance is no longer refused');
  });
});
