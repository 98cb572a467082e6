// A study handed over as a ZIP (Accept: application/zip): the stored Part 10 files, whose data
// sets are the bytes storescu sent, which DCMTK's dcmftest accepts, and a DICOMDIR that dcmdump reads and that records the
// same patients, studies, series and images as DCMTK's own dcmmkdir makes of those files.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDcmtk, storescu } from '../support/dcmtk';
import { filesBelow } from '../support/files';
import { generateStudy } from '../support/generator';
import { http } from '../support/http';
import { datasetOf } from '../support/raw-pdu';
import { startTestServer, TestServer } from '../support/server';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Directory records as dcmdump prints them: type and the keys both writers must agree on. */
async function records(dicomdir: string): Promise<string[]> {
  const dump = await runDcmtk('dcmdump', ['+P', '0004,1430', '+P', '0010,0020', '+P', '0020,000d', '+P', '0020,000e', '+P', '0004,1511', dicomdir]);
  assert.equal(dump.code, 0, dump.stderr);
  return dump.stdout
    .split('\n')
    .map((line) => line.match(/\[(.*)\]/)?.[1])
    .filter((v): v is string => v !== undefined);
}

describe('ZIP export of a study (Accept: application/zip)', () => {
  let server: TestServer;
  let token: string;
  let study: ReturnType<typeof generateStudy>;

  before(async () => {
    server = await startTestServer();
    token = await server.token();
    study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-zip-')), { series: 2, instancesPerSeries: 3, patientId: 'ZIP-1' });
    const sent = await storescu(server.dimsePort, study.files);
    assert.deepEqual(sent.statuses, study.files.map(() => '0x0000'));
  });

  after(() => server?.stop());

  it('sends the stored files unaltered with a DICOMDIR, with its length and a file name', async () => {
    const res = await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}`, { token, headers: { accept: 'application/zip' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(Number(res.headers.get('content-length')), res.body.length);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="ZIP-1_[^"]*\.zip"$/);
    const dir = mkdtempSync(join(tmpdir(), 'pacs-unzip-'));
    writeFileSync(join(dir, 'study.zip'), res.body);
    execFileSync('unzip', ['-q', 'study.zip', '-d', 'media'], { cwd: dir });
    const media = join(dir, 'media');
    const files = filesBelow(join(media, 'DICOM'));
    assert.equal(files.length, study.files.length);
    // The data sets as sent (the File Meta Information is the receiving server's, PS3.10 7.1).
    const dataSets = (paths: string[]) => paths.map((f) => sha256(datasetOf(readFileSync(f)))).sort();
    assert.deepEqual(dataSets(files), dataSets(study.files), 'data sets byte for byte as sent');
    for (const f of files) assert.match(f, /DICOM\/PAT\d{5}\/STU\d{5}\/SER\d{5}\/IMG\d{5}$/);
    const check = await runDcmtk('dcmftest', files);
    assert.equal(check.code, 0, check.stdout);
    assert.doesNotMatch(check.stdout, /^no:/m);

    const ours = await records(join(media, 'DICOMDIR'));
    for (const uid of study.sopInstanceUids) assert.ok(ours.includes(uid), `DICOMDIR lists ${uid}`);
    // DCMTK's General Purpose CD-R profile (STD-GEN-CD) over the same files, in the same folder.
    const made = await runDcmtk('dcmmkdir', ['--recurse', '--output-file', 'DICOMDIR.dcmtk', 'DICOM'], { cwd: media });
    assert.equal(made.code, 0, made.stdout + made.stderr);
    const theirs = await records(join(media, 'DICOMDIR.dcmtk'));
    assert.deepEqual([...ours].sort(), [...theirs].sort());
    assert.deepEqual(
      ours.filter((v) => /^[A-Z ]+$/.test(v) && !v.startsWith('ZIP')),
      ['PATIENT', 'STUDY', 'SERIES', 'IMAGE', 'IMAGE', 'IMAGE', 'SERIES', 'IMAGE', 'IMAGE', 'IMAGE'],
      'one patient, one study, two series of three images',
    );
  });

  it('sends one series the same way', async () => {
    const seriesUid = study.seriesUids[1];
    const res = await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}/series/${seriesUid}`, { token, headers: { accept: 'application/zip' } });
    assert.equal(res.status, 200);
    const dir = mkdtempSync(join(tmpdir(), 'pacs-unzip-'));
    writeFileSync(join(dir, 'series.zip'), res.body);
    const listing = execFileSync('unzip', ['-Z1', 'series.zip'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
    assert.equal(listing.length, 4, listing.join(', '));
    assert.ok(listing.includes('DICOMDIR'));
  });

  it('exports several studies as one ZIP under one DICOMDIR (POST /api/exports), audited as an Export', async () => {
    const second = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-zip-')), { series: 1, instancesPerSeries: 2, patientId: 'ZIP-2' });
    assert.deepEqual((await storescu(server.dimsePort, second.files)).statuses, ['0x0000', '0x0000']);
    const studies = [study.studyUid, second.studyUid];
    const res = await http(`${server.httpUrl}/api/exports`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ studies }) });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.match(res.headers.get('content-disposition') ?? '', /filename="2-studies_\d{4}-\d{2}-\d{2}\.zip"/);
    const dir = mkdtempSync(join(tmpdir(), 'pacs-unzip-'));
    writeFileSync(join(dir, 'export.zip'), res.body);
    execFileSync('unzip', ['-q', 'export.zip', '-d', 'media'], { cwd: dir });
    assert.equal(filesBelow(join(dir, 'media', 'DICOM')).length, 8);
    const listed = await records(join(dir, 'media', 'DICOMDIR'));
    assert.deepEqual(listed.filter((v) => v === 'PATIENT').length, 2);
    for (const uid of [...study.sopInstanceUids, ...second.sopInstanceUids]) assert.ok(listed.includes(uid), uid);

    const audit = await http(`${server.httpUrl}/api/audit?action=110106`, { token });
    const events = audit.json<{ items: { studyUids: string[]; outcome: number }[] }>().items;
    assert.ok(events.some((e) => e.outcome === 0 && studies.every((uid) => e.studyUids.includes(uid))), JSON.stringify(events));

    const unknown = await http(`${server.httpUrl}/api/exports`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ studies: [study.studyUid, '1.2.3.999'] }) });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json().message, /1\.2\.3\.999/);
    const bad = await http(`${server.httpUrl}/api/exports`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ studies: ['not-a-uid'] }) });
    assert.equal(bad.status, 400);
  });

  it('answers 404 for a study it does not hold, and multipart when the client prefers it', async () => {
    const missing = await http(`${server.httpUrl}/dicomweb/studies/1.2.3.4.5.6.7`, { token, headers: { accept: 'application/zip' } });
    assert.equal(missing.status, 404);
    const multipart = await http(`${server.httpUrl}/dicomweb/studies/${study.studyUid}`, {
      token,
      headers: { accept: 'multipart/related; type="application/dicom", application/zip; q=0.5' },
    });
    assert.equal(multipart.status, 200);
    assert.match(multipart.headers.get('content-type') ?? '', /^multipart\/related/);
  });
});
