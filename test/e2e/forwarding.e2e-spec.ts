// Forwarding rules end to end (issue 33): CT from one calling AE is forwarded by C-STORE to a DCMTK
// storescp, from the durable job queue — byte-identical, in spite of the destination being down
// during the send or the server restarting with a backlog, and never twice in the happy path.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStorescp, storescu, Storescp } from '../support/dcmtk';
import { generateStudy } from '../support/generator';
import { http, multipartRelated } from '../support/http';
import { freePort } from '../support/ports';
import { startTestServer, TestServer, TestPeer } from '../support/server';

const SCRAPE_TOKEN = 'forwarding-scrape-token-0123456789';
const ENV = { PACS_METRICS_TOKEN: SCRAPE_TOKEN, PACS_JOBS_POLL_MS: '200', PACS_JOBS_RETRY_BASE_MS: '300', PACS_JOBS_RETRY_MAX_MS: '1000', PACS_ROUTING_BATCH_SIZE: '25' };

/** The data set after the File Meta group (its length is (0002,0000), at offset 140: PS3.10 7.1). */
function datasetBytes(file: Buffer): Buffer {
  return file.subarray(144 + file.readUInt32LE(140));
}

/** SOP Instance UIDs in the order storescp -v stored them (files named `<modality>.<uid>`; not printed with +B). */
// storescp's stdout and stderr share one buffer, so a progress dot can end a line; a UID never
// ends in a dot (PS3.5 9.1).
const receivedOrder = (scp: Storescp) => [...scp.logs().matchAll(/storing DICOM file: \S+?\.([0-9.]+)\s*$/gm)].map((m) => m[1].replace(/\.+$/, ''));

/** C-STORE requests storescp -v has received. */
const storeRequests = (scp: Storescp) => (scp.logs().match(/Received Store Request/g) ?? []).length;

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('forwarding rules: CT from CT1 to a storescp destination over the job queue', () => {
  let server: TestServer;
  let token: string;
  let destPort: number;
  let peers: TestPeer[];
  const root = mkdtempSync(join(tmpdir(), 'pacs-forward-'));
  const scps: Storescp[] = [];

  const api = (path: string, opts: { method?: string; body?: unknown } = {}) =>
    http(`${server.httpUrl}${path}`, {
      method: opts.method,
      token,
      headers: opts.body ? { 'content-type': 'application/json' } : {},
      body: opts.body ? JSON.stringify(opts.body) : undefined,
    });
  const forwardJobs = async (state: string) => (await api(`/api/jobs?type=forward&state=${state}&limit=1`)).json<{ total: number }>().total;
  /** `asReceived`: storescp writes each data set byte for byte as it came (+B), but logs no file names. */
  const destination = async (name: string, asReceived = true) => {
    const dir = join(root, name);
    mkdirSync(dir);
    const scp = await startStorescp(destPort, dir, 'DEST', { extraArgs: asReceived ? ['+B'] : [] });
    scps.push(scp);
    return { dir, scp };
  };
  const study = (name: string, instances: number) => generateStudy(join(root, `${name}-sent`), { series: 1, instancesPerSeries: instances, studyDescription: name });

  /** Every file of `sent` arrived once at `dir`, its data set byte for byte. */
  function assertArrived(dir: string, sent: { files: string[]; sopInstanceUids: string[] }): void {
    const received = readdirSync(dir);
    assert.equal(received.length, sent.files.length);
    sent.sopInstanceUids.forEach((uid, n) => {
      const name = received.find((f) => f.endsWith(uid));
      assert.ok(name, `${uid} arrived`);
      assert.ok(datasetBytes(readFileSync(join(dir, name))).equals(datasetBytes(readFileSync(sent.files[n]))), `bytes of ${uid}`);
    });
  }

  before(async () => {
    destPort = await freePort();
    peers = [
      { aeTitle: 'CT1', host: '127.0.0.1', port: 11113, services: ['echo', 'store'] },
      { aeTitle: 'CT2', host: '127.0.0.1', port: 11114, services: ['echo', 'store'] },
      { aeTitle: 'DEST', host: '127.0.0.1', port: destPort, services: ['store'] },
    ];
    server = await startTestServer({ env: ENV, peers });
    token = await server.token();
  });

  after(async () => {
    for (const scp of scps) await scp.stop();
    await server?.stop();
  });

  it('refuses a rule whose destination is no peer we can send to, and creates a valid one', async () => {
    const bad = await api('/api/routing-rules', { method: 'POST', body: { name: 'to-nowhere', when: { modality: 'CT' }, forwardTo: ['NOWHERE'] } });
    assert.equal(bad.status, 400);
    assert.match(bad.json().message, /NOWHERE/);
    const rule = { name: 'ct-from-ct1', when: { modality: 'CT', callingAe: 'CT1' }, forwardTo: ['DEST'] };
    const created = await api('/api/routing-rules', { method: 'POST', body: rule });
    assert.equal(created.status, 201, created.body.toString());
    assert.deepEqual((await api('/api/routing-rules')).json(), [{ ...rule, delaySeconds: 0 }]);
    assert.equal((await api('/api/routing-rules', { method: 'POST', body: rule })).status, 409);
  });

  it('forwards 200 CT instances from CT1 byte-identical, each once, and nothing CT2 sent', async () => {
    const { dir, scp } = await destination('happy');
    const other = study('from-ct2', 2);
    assert.deepEqual((await storescu(server.dimsePort, other.files, { callingAe: 'CT2' })).statuses, ['0x0000', '0x0000']);
    const sent = study('happy', 200);
    const stored = await storescu(server.dimsePort, sent.files, { callingAe: 'CT1', timeoutMs: 60_000 });
    assert.equal(stored.statuses.filter((s) => s === '0x0000').length, 200, stored.stderr);
    await until('200 instances at the destination', async () => readdirSync(dir).length >= 200 && (await forwardJobs('completed')) === 200);
    await sleep(500); // a duplicate would come now
    assert.equal(storeRequests(scp), 200, 'each instance sent once');
    assertArrived(dir, sent);
    await scp.stop();
  });

  it('keeps retrying while the destination is down, shows it in /api/jobs and /metrics, and delivers everything once it is up', async () => {
    const sent = study('down', 40);
    assert.equal((await storescu(server.dimsePort, sent.files, { callingAe: 'CT1' })).statuses.filter((s) => s === '0x0000').length, 40);
    await until('forwards waiting for a retry', async () => (await forwardJobs('retry')) > 0);
    const page = (await api('/api/jobs?type=forward&state=retry')).json<{ jobs: { orderingKey: string; lastError: string; attempts: number }[] }>();
    assert.equal(page.jobs[0].orderingKey, 'DEST');
    assert.match(page.jobs[0].lastError, /cannot associate with DEST/);
    const metrics = (await http(`${server.httpUrl}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } })).body.toString();
    assert.match(metrics, /pacs_jobs\{[^}]*type="forward"[^}]*state="(retry|created)"[^}]*\} [1-9]/);
    assert.match(metrics, /pacs_jobs\{[^}]*type="forward"[^}]*state="completed"[^}]*\} 200/);
    const { dir, scp } = await destination('down', false);
    await until('40 instances after the destination came up', () => readdirSync(dir).length >= 40);
    await until('no forward left to run', async () => (await forwardJobs('retry')) + (await forwardJobs('created')) + (await forwardJobs('active')) === 0);
    await sleep(500);
    assert.equal(storeRequests(scp), 40, 'none twice');
    assert.deepEqual(receivedOrder(scp), sent.sopInstanceUids, 'the backlog in the order it was stored');
    for (const [n, uid] of sent.sopInstanceUids.entries()) {
      assert.ok(readFileSync(join(dir, `CT.${uid}`)).subarray(-8192).equals(readFileSync(sent.files[n]).subarray(-8192)), `pixel data of ${uid}`);
    }
    await scp.stop();
  });

  it('a backlog queued before a restart is delivered by the restarted server', async () => {
    const sent = study('restart', 30);
    assert.equal((await storescu(server.dimsePort, sent.files, { callingAe: 'CT1' })).statuses.filter((s) => s === '0x0000').length, 30);
    await until('forwards waiting for a retry', async () => (await forwardJobs('retry')) > 0);
    await server.stop();
    const { dir } = await destination('restart');
    const adminPassword = server.adminPassword; // set on the first start only
    server = await startTestServer({ env: ENV, peers, dataDir: server.dataDir });
    token = await server.token('admin', adminPassword);
    await until('30 instances from the restarted server', () => readdirSync(dir).length >= 30);
    assertArrived(dir, sent);
  });

  it('an admin retries a waiting forward at once or cancels it; both are audited', async () => {
    await scps.at(-1)!.stop();
    const sent = study('admin', 2);
    await storescu(server.dimsePort, sent.files, { callingAe: 'CT1' });
    await until('forwards waiting for a retry', async () => (await forwardJobs('retry')) > 0);
    const [job] = (await api('/api/jobs?type=forward&state=retry')).json<{ jobs: { id: string }[] }>().jobs;
    const retried = await api(`/api/jobs/${job.id}/retry`, { method: 'POST' });
    assert.equal(retried.status, 200);
    assert.equal(retried.json().attempts, 0);
    assert.equal((await api(`/api/jobs/${job.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await api(`/api/jobs/${job.id}`)).json().state, 'cancelled');
    assert.equal((await api('/api/jobs/999999999', { method: 'DELETE' })).status, 404);
    const audit = (await api('/api/audit?action=110113&limit=1000')).json<{ items: { details: { path?: string } }[] }>();
    const paths = audit.items.map((e) => e.details.path);
    assert.ok(paths.includes('/api/jobs/:id/retry') && paths.includes('/api/jobs/:id'), JSON.stringify(paths));
    const transferred = (await api('/api/audit?action=110104&actor=PACS&limit=1000')).json<{ items: { details: { service?: string; destination?: string } }[] }>();
    assert.ok(transferred.items.some((e) => e.details.service === 'forward' && e.details.destination === 'DEST'), 'forwards audited per destination');
  });
});

describe('forwarding from two server processes on one database (PACS_WORKERS=2)', () => {
  let server: TestServer;
  const root = mkdtempSync(join(tmpdir(), 'pacs-forward-workers-'));
  const scps: Storescp[] = [];
  const dirs = ['DEST1', 'DEST2', 'IMPLICIT'].map((ae) => join(root, ae));

  before(async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    dirs.forEach((dir) => mkdirSync(dir));
    for (const [n, ae] of ['DEST1', 'DEST2'].entries()) scps.push(await startStorescp(ports[n], dirs[n], ae, { extraArgs: ['+B'] }));
    scps.push(await startStorescp(ports[2], dirs[2], 'IMPLICIT', { extraArgs: ['+xi'] })); // Implicit VR Little Endian only
    server = await startTestServer({
      env: { ...ENV, PACS_WORKERS: '2' },
      peers: [
        { aeTitle: 'CT1', host: '127.0.0.1', port: 11113, services: ['echo', 'store'] },
        { aeTitle: 'DEST1', host: '127.0.0.1', port: ports[0], services: ['store'] },
        { aeTitle: 'DEST2', host: '127.0.0.1', port: ports[1], services: ['store'] },
        { aeTitle: 'IMPLICIT', host: '127.0.0.1', port: ports[2], services: ['store'] },
      ],
    });
    const token = await server.token();
    for (const rule of [
      { name: 'ct-everywhere', when: { modality: 'CT', studyDescription: 'SPLIT' }, forwardTo: ['DEST1', 'DEST2'] },
      { name: 'to-implicit', when: { studyDescription: 'IMPLICIT*' }, forwardTo: ['IMPLICIT'] },
    ]) {
      const created = await http(`${server.httpUrl}/api/routing-rules`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
      assert.equal(created.status, 201, created.body.toString());
    }
  });

  after(async () => {
    for (const scp of scps) await scp.stop();
    await server?.stop();
  });

  it('each forward runs once: every instance reaches each destination exactly once', async () => {
    const sent = generateStudy(join(root, 'sent'), { series: 2, instancesPerSeries: 50, studyDescription: 'SPLIT' });
    // Two associations at once, so both processes store and queue.
    const halves = [sent.files.slice(0, 50), sent.files.slice(50)];
    const results = await Promise.all(halves.map((files) => storescu(server.dimsePort, files, { callingAe: 'CT1' })));
    assert.equal(results.flatMap((r) => r.statuses).filter((s) => s === '0x0000').length, 100);
    await until('100 instances at both destinations', () => dirs.slice(0, 2).every((dir) => readdirSync(dir).length >= 100));
    await sleep(1000); // a duplicate would come now
    assert.deepEqual(scps.slice(0, 2).map(storeRequests), [100, 100], 'no instance sent twice to either destination');
  });

  it('transcodes to a syntax the destination accepts when it accepts none stored (Explicit VR LE stored, Implicit accepted)', async () => {
    const sent = generateStudy(join(root, 'implicit-sent'), { series: 1, instancesPerSeries: 2, studyDescription: 'IMPLICIT TEST' });
    assert.deepEqual((await storescu(server.dimsePort, sent.files, { callingAe: 'CT1' })).statuses, ['0x0000', '0x0000']);
    await until('2 instances at the implicit-only destination', () => readdirSync(dirs[2]).length >= 2);
    for (const [n, uid] of sent.sopInstanceUids.entries()) {
      const received = readFileSync(join(dirs[2], readdirSync(dirs[2]).find((f) => f.endsWith(uid))!));
      const meta = received.subarray(0, 144 + received.readUInt32LE(140)).toString('latin1');
      assert.ok(meta.includes('1.2.840.10008.1.2\0') && !meta.includes('1.2.840.10008.1.2.1'), 'received in Implicit VR Little Endian');
      const original = readFileSync(sent.files[n]);
      assert.ok(received.subarray(-8192).equals(original.subarray(-8192)), `pixel data of ${uid} unchanged`);
    }
  });

  it('forwards an instance stored by STOW-RS as well', async () => {
    const sent = generateStudy(join(root, 'stow-sent'), { series: 1, instancesPerSeries: 1, studyDescription: 'IMPLICIT STOW' });
    const { body, contentType } = multipartRelated([readFileSync(sent.files[0])]);
    const token = await server.token();
    const stored = await http(`${server.httpUrl}/dicomweb/studies`, { method: 'POST', token, body, headers: { 'content-type': contentType, accept: 'application/dicom+json' } });
    assert.equal(stored.status, 200, stored.body.toString());
    await until('the STOW-RS instance at the destination', () => readdirSync(dirs[2]).some((f) => f.endsWith(sent.sopInstanceUids[0])));
  });
});
