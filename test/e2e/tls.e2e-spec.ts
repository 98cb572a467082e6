// TLS: HTTPS on the HTTP port when a certificate is configured, and the DICOM TLS port
// (PS3.15 B.1) next to the plain one, driven by DCMTK with certificates made by openssl:
// echo and store over TLS, a client without a certificate refused, a certificate that names
// another AE title rejected, the plain port unchanged; C-MOVE to a peer registered with `tls`
// goes over TLS to a DCMTK storescp that checks our certificate.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'dcmjs-dimse';
import { action, commit, CT, ModalityScp, received, waitFor } from '../support/commitment-peer';
import { echoscu, movescu, runDcmtk, startStorescp, storescu } from '../support/dcmtk';
import { newUid, writeInstance } from '../support/generator';
import { freePort } from '../support/ports';
import { rawConnect } from '../support/raw-pdu';
import { startTestServer, TestServer, waitForLog } from '../support/server';
import { createTestPki, TestPki } from '../support/tls';

/** GET over HTTPS, verifying the server against our test CA (no verification shortcuts). */
function httpsGet(url: string, ca: Buffer, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** ARTIM for this server: short, so that a stalled handshake is seen to end. */
const ARTIM_MS = 3000;

describe('TLS: HTTPS and DICOM TLS with client certificates (PS3.15 B.1)', () => {
  let server: TestServer;
  let pki: TestPki;
  let tlsPort: number;
  let ca: Buffer;
  let tlsDestPort: number;
  let plainDestPort: number;
  let tlsStudyUid: string;
  let tlsSopInstanceUid: string;
  let tlsModalityPort: number;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-tls-'));

  before(async () => {
    pki = createTestPki();
    ca = readFileSync(pki.caCert);
    tlsPort = await freePort();
    [tlsDestPort, plainDestPort, tlsModalityPort] = [await freePort(), await freePort(), await freePort()];
    // The test process waits for /health over HTTPS with its own fetch; the assertions below verify against the CA.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    server = await startTestServer({
      env: {
        PACS_HTTP_TLS_CERT: pki.serverCert,
        PACS_HTTP_TLS_KEY: pki.serverKey,
        PACS_DIMSE_TLS_PORT: String(tlsPort),
        PACS_DIMSE_TLS_CERT: pki.serverCert,
        PACS_DIMSE_TLS_KEY: pki.serverKey,
        PACS_DIMSE_TLS_CA: pki.caCert,
        PACS_DIMSE_TLS_REQUIRE_CLIENT_CERT: 'true',
        PACS_DIMSE_ASSOCIATION_TIMEOUT_MS: String(ARTIM_MS),
      },
      peers: [
        { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'move'] },
        { aeTitle: 'TLSDEST', host: '127.0.0.1', port: tlsDestPort, services: ['store'], tls: true },
        { aeTitle: 'PLAINDEST', host: '127.0.0.1', port: plainDestPort, services: ['store'], tls: true },
        { aeTitle: 'TLSMOD', host: '127.0.0.1', port: tlsModalityPort, services: ['store'], tls: true },
        { aeTitle: 'OTHERAE', host: '127.0.0.1', port: 11114, services: ['echo', 'store'] },
      ],
    });
    delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  });
  after(async () => {
    await server?.stop();
  });

  const tlsArgs = (cn: string) => {
    const { key, cert } = pki.client(cn);
    return ['+tls', key, cert, '+cf', pki.caCert];
  };
  const tlsEcho = (extra: string[], callingAe = 'TESTSCU') =>
    runDcmtk('echoscu', ['-v', '-aet', callingAe, '-aec', 'PACS', ...extra, '127.0.0.1', String(tlsPort)], { timeoutMs: 30_000 });

  it('serves HTTPS with the configured certificate (verified against the CA) and no plain HTTP', async () => {
    assert.match(server.httpUrl, /^https:/);
    const health = await httpsGet(`${server.httpUrl}/health`, ca);
    assert.equal(health.status, 200, health.body);
    await assert.rejects(fetch(server.httpUrl.replace('https:', 'http:') + '/health', { signal: AbortSignal.timeout(5_000) }));
  });

  it('answers C-ECHO over TLS from a client whose certificate names its AE title', async () => {
    const res = await tlsEcho(tlsArgs('TESTSCU'));
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout + res.stderr, /Received Echo Response \(Success\)/);
  });

  it('stores over TLS; the instance is then retrievable over HTTPS', async () => {
    const file = join(dir, 'tls.dcm');
    tlsStudyUid = newUid();
    const sent = writeInstance(file, { patientId: 'TLS-1', studyUid: tlsStudyUid });
    tlsSopInstanceUid = sent.sopInstanceUid;
    const res = await storescu(tlsPort, [file], { extraArgs: tlsArgs('TESTSCU') });
    assert.deepEqual(res.statuses, ['0x0000'], res.stdout + res.stderr);
    const token = await new Promise<string>((resolve, reject) => {
      const req = request(`${server.httpUrl}/api/auth/token`, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (r) => {
        let body = '';
        r.setEncoding('utf8').on('data', (c: string) => (body += c));
        r.on('end', () => resolve(JSON.parse(body).access_token));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ username: 'admin', password: server.adminPassword }));
    });
    const found = await httpsGet(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${sent.studyUid}`, ca, token);
    assert.equal(found.status, 200);
    assert.equal(JSON.parse(found.body).length, 1);
  });

  it('refuses a TLS client without a certificate (handshake fails, no association)', async () => {
    const res = await tlsEcho(['+tla', '+cf', pki.caCert]);
    assert.notEqual(res.code, 0);
    assert.doesNotMatch(res.stdout + res.stderr, /Echo Response \(Success\)/);
  });

  it('rejects a certificate issued to another AE title (calling AE title not recognized)', async () => {
    const res = await tlsEcho(tlsArgs('OTHERAE'), 'TESTSCU');
    assert.notEqual(res.code, 0);
    assert.match(res.stdout + res.stderr, /Calling AE Title Not Recognized/i);
    assert.equal((await tlsEcho(tlsArgs('OTHERAE'), 'OTHERAE')).code, 0, 'the same certificate works for its own AE title');
  });

  it('refuses a plain (non-TLS) association on the TLS port and keeps the plain port working', async () => {
    const plainOnTls = await echoscu(tlsPort, { timeoutMs: 30_000 });
    assert.notEqual(plainOnTls.code, 0);
    const plain = await echoscu(server.dimsePort);
    assert.equal(plain.code, 0, plain.stderr);
  });

  it('closes a connection to the TLS port whose handshake never starts within ARTIM, and keeps serving', async () => {
    const started = Date.now();
    const peer = await rawConnect(tlsPort);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still open')), ARTIM_MS + 2000).unref());
    await Promise.race([peer.closed, timeout]);
    const ms = Date.now() - started;
    assert.ok(ms >= ARTIM_MS - 100, `closed after ${ms} ms, before ARTIM ran out`);
    assert.ok(await waitForLog(server, /connection closed: TLS handshake not completed within 3000 ms \(ARTIM\)/));
    assert.equal((await tlsEcho(tlsArgs('TESTSCU'))).code, 0);
  });

  it('sends C-MOVE sub-operations over TLS to a peer registered with tls, presenting our certificate', async () => {
    const moveDir = mkdtempSync(join(tmpdir(), 'pacs-tls-move-'));
    // storescp with +tls requires and verifies the client certificate by default
    const dest = await startStorescp(tlsDestPort, moveDir, 'TLSDEST', { extraArgs: ['+tls', pki.serverKey, pki.serverCert, '+cf', pki.caCert] });
    try {
      const res = await movescu(server.dimsePort, 'TLSDEST', { keys: ['0008,0052=STUDY', `0020,000D=${tlsStudyUid}`] });
      assert.equal(res.status, '0x0000', res.stdout + res.stderr);
      assert.equal(readdirSync(moveDir).length, 1, dest.logs());
    } finally {
      await dest.stop();
    }
  });

  it('does not fall back to plain TCP when a peer registered with tls does not speak it', async () => {
    const moveDir = mkdtempSync(join(tmpdir(), 'pacs-tls-plain-'));
    const dest = await startStorescp(plainDestPort, moveDir, 'PLAINDEST');
    try {
      const res = await movescu(server.dimsePort, 'PLAINDEST', { keys: ['0008,0052=STUDY', `0020,000D=${tlsStudyUid}`] });
      assert.notEqual(res.status, '0x0000', res.stdout + res.stderr);
      assert.deepEqual(readdirSync(moveDir), []);
      assert.equal((await echoscu(server.dimsePort)).code, 0);
    } finally {
      await dest.stop();
    }
  });

  it('sends a Storage Commitment result over TLS to a modality registered with tls', async () => {
    const listener = new Server(ModalityScp);
    const securityOptions = { key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' };
    listener.listen(tlsModalityPort, { securityOptions } as Parameters<Server['listen']>[1]);
    try {
      const transactionUid = newUid();
      // the N-ACTION on the plain port, released at once: the result must come on a new association
      const outcome = await commit(server.dimsePort, 'TLSMOD', [action([{ sopClassUid: CT, sopInstanceUid: tlsSopInstanceUid }], { transactionUid })]);
      assert.deepEqual(outcome.actionStatuses, [0x0000]);
      const report = await waitFor(() => received.find((r) => r.attrs.TransactionUID === transactionUid));
      assert.ok(report, server.logs().split('\n').filter((l) => /commitment/.test(l)).join('\n'));
      assert.equal(report.eventTypeId, 1);
    } finally {
      listener.close();
    }
  });
});
