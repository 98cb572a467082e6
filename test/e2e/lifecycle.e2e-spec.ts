// Running the server as an admin would: embedded PostgreSQL by default, clean stop on SIGTERM
// and SIGINT (no orphan postgres), data kept across restarts, bad configuration and taken ports told at boot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@pacs/database';
import { buildInstance } from '../support/generator';
import { freePort } from '../support/ports';
import { http, multipartRelated } from '../support/http';
import { repoRoot, startTestServer } from '../support/server';

async function countInstances(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM instances')).rows[0].n);
  } finally {
    await client.end();
  }
}

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

  it('uses the PostgreSQL named by DATABASE_URL instead of starting its own', async () => {
    const external = mkdtempSync(join(tmpdir(), 'pacs-external-pg-'));
    const db = await startEmbeddedPostgres(external, await freePort(), () => undefined);
    const dataDir = mkdtempSync(join(tmpdir(), 'pacs-with-url-'));
    const server = await startTestServer({ dataDir, env: { DATABASE_URL: db.url } });
    try {
      assert.match(server.logs(), /Database\s+external \(DATABASE_URL\)/);
      assert.equal(existsSync(join(dataDir, 'postgres')), false, 'no embedded PostgreSQL under the data dir');
      const inst = buildInstance({ patientId: 'EXTERNAL-1' });
      const { body, contentType } = multipartRelated([inst.bytes]);
      const token = await server.token();
      const res = await http(`${server.httpUrl}/dicomweb/studies`, { method: 'POST', token, body, headers: { 'content-type': contentType } });
      assert.equal(res.status, 200);
      const rows = await countInstances(db.url);
      assert.equal(rows, 1, 'the instance is indexed in the external database');
    } finally {
      await server.stop();
      await db.stop();
    }
  });

  it('refuses to start with a bad configuration, naming every bad value', () => {
    const main = join(repoRoot(), process.env.PACS_TEST_DIST ?? 'dist', 'apps/pacs-server/src/main.js');
    const res = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, PACS_HTTP_PORT: 'eighty', PACS_DUPLICATE_POLICY: 'sometimes', PACS_AE_TITLE: 'A\\B', PACS_HTTP_TRUSTED_PROXIES: '10.0.0.0/99' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /PACS_HTTP_PORT/);
    assert.match(res.stderr, /PACS_DUPLICATE_POLICY/);
    assert.match(res.stderr, /PACS_AE_TITLE/);
    assert.match(res.stderr, /PACS_HTTP_TRUSTED_PROXIES/);
  });

  it('says which port is taken when the embedded PostgreSQL cannot listen, and leaves no postgres behind', async () => {
    const { res, port, dataDir } = await startWithPortTaken('PACS_EMBEDDED_PG_PORT');
    assert.equal(res.status, 1);
    assert.match(res.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    assert.match(res.stderr, /PACS_EMBEDDED_PG_PORT/);
    assert.match(res.stderr, /Address already in use/);
    assert.doesNotMatch(res.stderr, /undefined|\n\s+at /, 'a message, not a stack trace');
    assert.equal(postgresRunning(dataDir), false);
  });

  it('names the setting when the DICOM port is taken, and stops the PostgreSQL it started', async () => {
    const { res, port, dataDir } = await startWithPortTaken('PACS_DIMSE_PORT');
    assert.equal(res.status, 1);
    assert.match(res.stderr, new RegExp(`PACS failed to start: the DICOM port ${port} is in use by another process\\. Stop it, or set PACS_DIMSE_PORT to a free port\\.`));
    assert.doesNotMatch(res.stderr, /\n\s+at /, 'a message, not a stack trace');
    assert.equal(postgresRunning(dataDir), false);
  });

  it('names the setting when the HTTP port is taken, and stops what had started before PostgreSQL', async () => {
    const { res, port, dataDir } = await startWithPortTaken('PACS_HTTP_PORT');
    assert.equal(res.status, 1);
    assert.match(res.stderr, new RegExp(`PACS failed to start: the HTTP port ${port} is in use by another process\\. Stop it, or set PACS_HTTP_PORT to a free port\\.`));
    assert.doesNotMatch(res.stdout, /staged audit events not sealed|terminating connection/, 'no module outlived the database');
    assert.equal(postgresRunning(dataDir), false);
  });
});

/** Runs the server with the port named by `setting` held by another listener. */
async function startWithPortTaken(setting: string): Promise<{ res: SpawnSyncReturns<string>; port: number; dataDir: string }> {
  const port = await freePort();
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(port, resolve));
  const dataDir = mkdtempSync(join(tmpdir(), 'pacs-port-taken-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PACS_DATA_DIR: dataDir,
    PACS_ADMIN_PASSWORD: 'port-taken-secret',
    PACS_HTTP_PORT: String(await freePort()),
    PACS_DIMSE_PORT: String(await freePort()),
    PACS_EMBEDDED_PG_PORT: String(await freePort()),
    [setting]: String(port),
  };
  try {
    const main = join(repoRoot(), process.env.PACS_TEST_DIST ?? 'dist', 'apps/pacs-server/src/main.js');
    const res = spawnSync(process.execPath, [main], { env, encoding: 'utf8', timeout: 120_000 });
    return { res, port, dataDir };
  } finally {
    holder.close();
  }
}
