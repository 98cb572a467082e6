// ADT from the RIS into the image archive (issue 33): studies stored with storescu take an A08's
// demographics, as C-FIND, QIDO-RS and a WADO-RS retrieve (dcmdump) show; an A40 moves a
// patient's studies under the surviving Patient ID, with or without stored studies of its own;
// a study whose instances cannot carry the new name, or whose file is lost, is answered AE with
// the rest applied.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findscu, runDcmtk, storescu } from '../support/dcmtk';
import { filesBelow } from '../support/files';
import { generateStudy, InstanceSpec } from '../support/generator';
import { http, parseMultipart, value } from '../support/http';
import { MllpClient, msh, pid, seg } from '../support/mllp';
import { freePort } from '../support/ports';
import { startTestServer, TestServer } from '../support/server';

const HOSP = { extra: { IssuerOfPatientID: 'HOSP' } };

describe('HL7 ADT applied to the stored studies', () => {
  let server: TestServer;
  let admin: string;
  let ris: MllpClient;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-hl7-adt-'));

  before(async () => {
    const hl7Port = await freePort();
    server = await startTestServer({ env: { PACS_HL7_PORT: String(hl7Port), PACS_HL7_ALLOWED_SENDERS: 'ADT^HOSP' } });
    admin = await server.token();
    ris = await MllpClient.connect(hl7Port);
  });
  after(async () => {
    ris?.close();
    await server?.stop();
  });

  const stored = async (name: string, spec: InstanceSpec) => {
    const study = generateStudy(join(dir, name), { series: 1, instancesPerSeries: 2, ...spec });
    const res = await storescu(server.dimsePort, study.files);
    assert.deepEqual(res.statuses, study.files.map(() => '0x0000'), res.stdout + res.stderr);
    return study;
  };
  const qido = async (path: string) => {
    const res = await http(`${server.httpUrl}/dicomweb/${path}`, { token: admin });
    assert.ok(res.status === 200 || res.status === 204, res.body.toString());
    return res.status === 204 ? [] : res.json<Record<string, any>[]>();
  };
  const name = (ds: Record<string, any>) => ds['00100010']?.Value?.[0]?.Alphabetic;
  const audit = async (query: string) => (await http(`${server.httpUrl}/api/audit?${query}`, { token: admin })).json().items as any[];
  const adt = (event: 'A08' | 'A40', control: string, ...segments: string[]) => ris.request([msh(`ADT^${event}`, control, 'ADT^HOSP'), `EVN|${event}`, ...segments]);

  it('A08 corrects every stored study of the patient: findscu, QIDO-RS and WADO-RS show the new name', async () => {
    const study = await stored('a08', { patientId: 'HS1', patientName: 'STORED^OLD', patientBirthDate: '19800101', patientSex: 'F', ...HOSP });
    const otherIssuer = await stored('a08-other', { patientId: 'HS1', patientName: 'STORED^OLD', extra: { IssuerOfPatientID: 'ELSEWHERE' } });

    const ack = await adt('A08', 'A08-S1', pid('HS1', 'STORED^NEW', '19810202', 'M'));
    assert.deepEqual([ack.code, ack.controlId], ['AA', 'A08-S1'], ack.raw);

    const found = await findscu(server.dimsePort, { keys: ['0008,0052=STUDY', `StudyInstanceUID=${study.studyUid}`, 'PatientName', 'PatientBirthDate', 'PatientSex'] });
    assert.equal(found.matches.length, 1, found.stdout);
    assert.deepEqual([found.matches[0]['(0010,0010)'], found.matches[0]['(0010,0030)'], found.matches[0]['(0010,0040)']], ['STORED^NEW', '19810202', 'M']);
    const [viaQido] = await qido(`studies?StudyInstanceUID=${study.studyUid}&includefield=00100030`);
    assert.deepEqual([name(viaQido), value(viaQido, '00100030')], ['STORED^NEW', '19810202']);
    const [untouched] = await qido(`studies?StudyInstanceUID=${otherIssuer.studyUid}`);
    assert.equal(name(untouched), 'STORED^OLD', 'the same Patient ID under another issuer is another patient');

    const wado = await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}/series/${study.seriesUids[0]}/instances/${study.sopInstanceUids[1]}`, {
      token: admin,
      headers: { accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
    });
    assert.equal(wado.status, 200);
    const file = join(dir, 'a08-retrieved.dcm');
    writeFileSync(file, parseMultipart(wado.body, wado.headers.get('content-type') ?? '')[0].body);
    const dump = await runDcmtk('dcmdump', ['+P', 'PatientName', '+P', 'PatientBirthDate', '+P', 'PatientSex', file]);
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(dump.stdout, /\(0010,0010\) PN \[STORED\^NEW\]/);
    assert.match(dump.stdout, /\(0010,0030\) DA \[19810202\]/);
    assert.match(dump.stdout, /\(0010,0040\) CS \[M\]/);

    const events = await audit('action=110110&patientId=HS1');
    const message = events.find((e) => e.details?.channel === 'hl7');
    assert.deepEqual([message.details.controlId, message.studyUids, message.details.studies.corrected], ['A08-S1', [study.studyUid], 1]);
    const corrections = events.filter((e) => e.details?.operation === 'correct-study');
    assert.equal(corrections.length, 1, 'one correction event per study corrected, besides the message');
    assert.deepEqual([corrections[0].actor, corrections[0].actorType, corrections[0].details.instancesRewritten], ['ADT^HOSP', 'system', 2]);
  });

  it('A08 changes only what the message carries: without PID-7 and PID-8 birth date and sex stay', async () => {
    const ack = await adt('A08', 'A08-S2', pid('HS1', 'STORED^NEWER', '', ''));
    assert.equal(ack.code, 'AA', ack.raw);
    const [study] = await qido('studies?PatientID=HS1&PatientName=STORED^NEWER&includefield=00100030,00100040');
    assert.deepEqual([name(study), value(study, '00100030'), value(study, '00100040')], ['STORED^NEWER', '19810202', 'M']);
  });

  it('A40 moves the prior patient studies under a surviving Patient ID that has none stored yet', async () => {
    const study = await stored('a40-new', { patientId: 'HM1-OLD', patientName: 'MERGE^OLD', ...HOSP });
    const ack = await adt('A40', 'A40-S1', pid('HM1', 'MERGE^NEW', '19700707', 'F'), seg('MRG', { 1: 'HM1-OLD^^^HOSP' }));
    assert.deepEqual([ack.code, ack.controlId], ['AA', 'A40-S1'], ack.raw);
    const moved = await qido('studies?PatientID=HM1&includefield=00100021');
    assert.deepEqual(moved.map((s) => [value(s, '0020000D'), name(s), value(s, '00100021')]), [[study.studyUid, 'MERGE^NEW', 'HOSP']]);
    assert.deepEqual(await qido('studies?PatientID=HM1-OLD'), []);
  });

  it('A40 merges the prior patient into a surviving patient with stored studies (POST /api/patients/merge)', async () => {
    const prior = await stored('a40-prior', { patientId: 'HM2-OLD', patientName: 'DUP^TWO', ...HOSP });
    const kept = await stored('a40-kept', { patientId: 'HM2', patientName: 'KEEP^TWO', patientBirthDate: '19650203', ...HOSP });
    const ack = await adt('A40', 'A40-S2', pid('HM2', 'KEEP^TWO', '19650203'), seg('MRG', { 1: 'HM2-OLD^^^HOSP' }));
    assert.equal(ack.code, 'AA', ack.raw);
    const studies = await qido('studies?PatientID=HM2&includefield=00100030');
    assert.deepEqual(studies.map((s) => value(s, '0020000D')).sort(), [prior.studyUid, kept.studyUid].sort());
    for (const s of studies) assert.deepEqual([name(s), value(s, '00100030')], ['KEEP^TWO', '19650203']);
    assert.deepEqual(await qido('studies?PatientID=HM2-OLD'), []);
    const [merge] = (await audit('action=110110&patientId=HM2')).filter((e) => e.details?.operation === 'merge-patients');
    assert.deepEqual([merge.actor, merge.studyUids, merge.details.old.patientId], ['ADT^HOSP', [prior.studyUid], 'HM2-OLD']);
  });

  it('answers AE 102 at PID-5 when a study cannot carry the new name, and still corrects the others', async () => {
    const latin = await stored('a08-latin', { patientId: 'HS3', patientName: 'GREEK^OLD', specificCharacterSet: 'ISO_IR 100', ...HOSP });
    const utf8 = await stored('a08-utf8', { patientId: 'HS3', patientName: 'GREEK^OLD', specificCharacterSet: 'ISO_IR 192', ...HOSP });
    const ack = await adt('A08', 'A08-S3', pid('HS3', 'ΩMEGA^ANNA'));
    assert.deepEqual([ack.code, ack.controlId, ack.errLocation, ack.errCode], ['AE', 'A08-S3', 'PID^1^5^1', '102'], ack.raw);
    assert.match(ack.text, /1 stored stud\(ies\) corrected, 1 not/);
    assert.ok(ack.text.includes(latin.studyUid), ack.text);
    const [good] = await qido(`studies?StudyInstanceUID=${utf8.studyUid}`);
    assert.equal(name(good), 'ΩMEGA^ANNA');
    const [message] = (await audit('action=110110&patientId=HS3')).filter((e) => e.details?.channel === 'hl7');
    assert.deepEqual([message.outcome, message.details.ack, message.details.studies.failed], [4, 'AE', 1]);
  });

  it('answers AE 207 at PID-3 when a study file is lost, and still corrects the others', async () => {
    const lost = await stored('a08-lost', { patientId: 'HS4', patientName: 'LOST^OLD', ...HOSP });
    const kept = await stored('a08-kept', { patientId: 'HS4', patientName: 'LOST^OLD', ...HOSP });
    const uid = Buffer.from(lost.sopInstanceUids[0]);
    const [file] = filesBelow(join(server.dataDir, 'blobs')).filter((f) => readFileSync(f).includes(uid));
    assert.ok(file, 'the stored file of the instance');
    unlinkSync(file);
    const ack = await adt('A08', 'A08-S4', pid('HS4', 'LOST^NEW'));
    assert.deepEqual([ack.code, ack.errLocation, ack.errCode], ['AE', 'PID^1^3^1^1', '207'], ack.raw);
    assert.match(ack.text, /1 stored stud\(ies\) corrected, 1 not .*send the message again/);
    const [good] = await qido(`studies?StudyInstanceUID=${kept.studyUid}`);
    assert.equal(name(good), 'LOST^NEW');
    const [message] = (await audit('action=110110&patientId=HS4')).filter((e) => e.details?.channel === 'hl7');
    assert.deepEqual([message.outcome, message.details.studies.failed, message.studyUids.sort()], [8, 1, [lost.studyUid, kept.studyUid].sort()]);
  });
});
