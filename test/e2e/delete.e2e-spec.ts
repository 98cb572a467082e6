// DELETE /dicomweb/studies/{s}[/series/{se}[/instances/{i}]] (permission study:delete): rows go
// in one transaction with the counters and ModalitiesInStudy recomputed, emptied series,
// studies and patients removed, then the blobs; other studies are untouched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storescu } from '../support/dcmtk';
import { newUid, writeInstance } from '../support/generator';
import { http, value } from '../support/http';
import { countBlobs } from '../support/s3';
import { startTestServer, TestServer } from '../support/server';

const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

describe('DELETE of studies, series and instances', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-delete-'));
  const studyUid = newUid();
  const otherStudyUid = newUid();
  const ctSeries = newUid();
  const mrSeries = newUid();
  const ct: string[] = [];
  let mr = '';

  before(async () => {
    server = await startTestServer();
    token = await server.token();
    const files: string[] = [];
    const add = (spec: Parameters<typeof writeInstance>[1]) => {
      const file = join(dir, `${files.length}.dcm`);
      files.push(file);
      return writeInstance(file, { patientId: 'DEL-1', studyDate: '20260101', ...spec }).sopInstanceUid;
    };
    for (let i = 1; i <= 3; i++) ct.push(add({ studyUid, seriesUid: ctSeries, modality: 'CT', instanceNumber: i }));
    mr = add({ studyUid, seriesUid: mrSeries, modality: 'MR', sopClassUid: MR_IMAGE_STORAGE });
    add({ studyUid: otherStudyUid, patientId: 'DEL-2' });
    const res = await storescu(server.dimsePort, files);
    assert.deepEqual(res.statuses, files.map(() => '0x0000'), res.stdout + res.stderr);
  });
  after(async () => {
    await server?.stop();
  });

  const del = (path: string, as = token) => http(`${server.httpUrl}/dicomweb/studies/${path}`, { method: 'DELETE', token: as });
  const study = async (uid: string) => {
    const found = (await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${uid}&includefield=00080061`, { token })).json<Record<string, any>[]>();
    return found[0];
  };
  const blobs = () => countBlobs(server.dataDir);

  it('refuses a role without study:delete (403) and deletes nothing', async () => {
    await http(`${server.httpUrl}/api/users`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'rad', password: 'password-123', roles: ['radiologist'] }),
    });
    const res = await del(studyUid, await server.token('rad', 'password-123'));
    assert.equal(res.status, 403);
    assert.match(res.json().message, /study:delete/);
    assert.equal(value(await study(studyUid), '00201208'), 4);
  });

  it('deletes one instance: 204, counters drop, its blob is gone, WADO answers 404', async () => {
    const before = await blobs();
    assert.equal((await del(`${studyUid}/series/${ctSeries}/instances/${ct[0]}`)).status, 204);
    assert.equal(await blobs(), before - 1);
    const s = await study(studyUid);
    assert.equal(value(s, '00201208'), 3);
    assert.equal(value(s, '00201206'), 2);
    const wado = await http(`${server.httpUrl}/dicomweb/studies/${studyUid}/series/${ctSeries}/instances/${ct[0]}`, { token, headers: { accept: 'application/dicom' } });
    assert.equal(wado.status, 404);
    assert.equal((await del(`${studyUid}/series/${ctSeries}/instances/${ct[0]}`)).status, 404, 'a second delete finds nothing');
  });

  it('deletes a series: the study loses its modality and a series', async () => {
    assert.deepEqual((await study(studyUid))['00080061'].Value.sort(), ['CT', 'MR']);
    assert.equal((await del(`${studyUid}/series/${mrSeries}`)).status, 204);
    const s = await study(studyUid);
    assert.deepEqual(s['00080061'].Value, ['CT']);
    assert.equal(value(s, '00201206'), 1);
    assert.equal(value(s, '00201208'), 2);
    const series = await http(`${server.httpUrl}/dicomweb/studies/${studyUid}/series`, { token });
    assert.deepEqual(series.json<Record<string, any>[]>().map((x) => value(x, '0020000E')), [ctSeries]);
  });

  it('deletes the last instances of a series and then the study: series, study and patient go, the other study stays', async () => {
    assert.equal((await del(`${studyUid}/series/${ctSeries}/instances/${ct[1]}`)).status, 204);
    assert.equal((await del(`${studyUid}/series/${ctSeries}/instances/${ct[2]}`)).status, 204);
    assert.equal(await study(studyUid), undefined, 'a study without instances is gone');
    assert.equal((await del(studyUid)).status, 404);
    const patients = (await http(`${server.httpUrl}/dicomweb/studies?PatientID=DEL-1`, { token })).json<unknown[]>();
    assert.deepEqual(patients, []);
    assert.equal(value(await study(otherStudyUid), '00201208'), 1);
    assert.equal(await blobs(), 1);
    assert.equal((await del(otherStudyUid)).status, 204);
    assert.equal(await blobs(), 0);
    assert.equal(await study(otherStudyUid), undefined);
  });
});
