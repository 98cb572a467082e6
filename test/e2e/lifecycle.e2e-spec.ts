// Running the server as an admin would: embedded PostgreSQL by default, clean stop on SIGTERM
// and SIGINT (no orphan postgres), data kept across restarts, bad configuration refused at boot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInstance } from '../support/generator';
import { http, multipartRelated } from '../support/http';
import { repoRoot, startTestServer } from '../support/server';

function postgresRunning(dataDir: string): boolean {
  return existsSync(join(dataDir, 'postgres', 'postmaster.pid'));
}

describe('server lifecycle', () => {
  it('reports healthy database, storage and DIMSE listener; /health needs no token', async () => {
    const server = await startTestServer();
    try {
      const res = await http(`${server.httpUrl}/health`);
      assert.equal(res.status, 200);
      const body = res.json();
      assert.equal(body.status, 'ok');
      assert.equal(body.info.database.status, 'up');
      assert.equal(body.info.storage.status, 'up');
      assert.ok(body.info.storage.freeBytes > 0);
      assert.equal(body.info.dimse.status, 'up');
      assert.equal((await http(`${server.httpUrl}/api/peers`)).status, 401);
      const bad = await http(`${server.httpUrl}/api/auth/token`, {
        method: 'POST',
        body: JSON.stringify({ username: 'admin', password: 'wrong-password' }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(bad.status, 401);
    } finally {
      await server.stop();
    }
  });

  it('stops cleanly on SIGTERM, and a second start reuses the data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pacs-restart-'));
    const first = await startTestServer({ dataDir });
    const inst = buildInstance({ patientId: 'RESTART-1' });
    const { body, contentType } = multipartRelated([inst.bytes]);
    const token = await first.token();
    const stored = await http(`${first.httpUrl}/dicomweb/studies`, { method: 'POST', token, body, headers: { 'content-type': contentType } });
    assert.equal(stored.status, 200);
    assert.equal((await first.stop('SIGTERM')).code, 0);
    assert.equal(postgresRunning(dataDir), false, 'embedded PostgreSQL still running after stop');

    const second = await startTestServer({ dataDir, env: { PACS_ADMIN_PASSWORD: 'ignored-on-second-start' } });
    try {
      const again = await second.token('admin', first.adminPassword);
      const found = await http(`${second.httpUrl}/dicomweb/studies?PatientID=RESTART-1`, { token: again });
      assert.equal(found.json().length, 1);
      const bytes = await http(`${second.httpUrl}/dicomweb/studies/${inst.studyUid}/series/${inst.seriesUid}/instances/${inst.sopInstanceUid}`, {
        token: again,
        headers: { accept: 'application/dicom' },
      });
      assert.ok(bytes.body.equals(inst.bytes));
    } finally {
      assert.equal((await second.stop('SIGINT')).code, 0);
      assert.equal(postgresRunning(dataDir), false);
    }
  });

  it('refuses to start with a bad configuration, naming every bad value', () => {
    const main = join(repoRoot(), process.env.PACS_TEST_DIST ?? 'dist', 'apps/pacs-server/src/main.js');
    const res = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, PACS_HTTP_PORT: 'eighty', PACS_DUPLICATE_POLICY: 'sometimes', PACS_AE_TITLE: 'A\\B' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /PACS_HTTP_PORT/);
    assert.match(res.stderr, /PACS_DUPLICATE_POLICY/);
    assert.match(res.stderr, /PACS_AE_TITLE/);
  });
});
