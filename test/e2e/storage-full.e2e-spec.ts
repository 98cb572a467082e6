// A data directory below PACS_STORAGE_MIN_FREE_BYTES: every store is refused with Out of
// Resources and a reason (C-STORE; STOW-RS with 507), nothing is stored, /health says why, and
// the server keeps answering everything else. The threshold is set above any real free space, so
// the real filesystem is "full" for this server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { echoscu, storescu } from '../support/dcmtk';
import { buildInstance, writeInstance } from '../support/generator';
import { http, multipartRelated, value } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

describe('storage below the minimum free space', () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startTestServer({ env: { PACS_STORAGE_MIN_FREE_BYTES: String(1e15) }, degraded: true });
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  const studies = async (patientId: string) => (await http(`${server.httpUrl}/dicomweb/studies?PatientID=${patientId}`, { token })).json();

  it('refuses C-STORE with 0xA700 and an error comment, and stores nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pacs-full-')), 'ct.dcm');
    writeInstance(file, { patientId: 'FULL-DIMSE' });
    const res = await storescu(server.dimsePort, [file], { extraArgs: ['-d'] });
    assert.deepEqual(res.statuses, ['0xa700'], res.stdout + res.stderr);
    assert.match(res.stdout + res.stderr, /\(0000,0902\) LO \[storage full: \d+ MiB free, 953674316 MiB required\]/);
    assert.deepEqual(await studies('FULL-DIMSE'), []);
  });

  it('answers STOW-RS with 507 Insufficient Storage, each instance failed with Failure Reason A700, and stores nothing', async () => {
    const instance = buildInstance({ patientId: 'FULL-WEB' });
    const { body, contentType } = multipartRelated([instance.bytes]);
    const res = await http(`${server.httpUrl}/dicomweb/studies`, { method: 'POST', token, body, headers: { 'content-type': contentType, accept: 'application/dicom+json' } });
    assert.equal(res.status, 507, res.body.toString());
    const [failed] = res.json()['00081198'].Value as Record<string, { Value?: unknown[] }>[];
    assert.equal(value(failed, '00081197'), 0xa700);
    assert.equal(value(failed, '00081155'), instance.sopInstanceUid);
    assert.deepEqual(await studies('FULL-WEB'), []);
  });

  it('reports storage down on /health while C-ECHO and queries keep working', async () => {
    const health = await http(`${server.httpUrl}/health`);
    assert.equal(health.status, 503);
    const storage = health.json().error.storage;
    assert.equal(storage.status, 'down');
    assert.equal(storage.minFreeBytes, 1e15);
    assert.match(storage.message, /stores are refused/);
    assert.deepEqual(Object.keys(health.json().error), ['storage'], 'only storage is down');
    assert.equal(health.json().details.database.status, 'up');
    assert.equal(health.json().details.dimse.status, 'up');
    assert.equal((await echoscu(server.dimsePort)).code, 0);
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token })).status, 200);
  });
});
