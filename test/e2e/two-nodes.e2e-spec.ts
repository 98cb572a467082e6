// Two PACS nodes on one PostgreSQL and one S3 bucket (issue 29): started together on a new
// database, four associations split across both, one node SIGKILLed mid-send and started again.
// Whatever either node acknowledged is served byte-identical by both; the nodes agree on counts;
// the audit chain is intact; no object without a row and no row without its object.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseHandle } from '@pacs/database';
import { storescu } from '../support/dcmtk';
import { generateStudy, newUid } from '../support/generator';
import { http } from '../support/http';
import { finish, inProgress, sendMpps } from '../support/mpps';
import { runPacs } from '../support/pacs-cli';
import { Radosgw, startRadosgw } from '../support/radosgw';
import { datasetOf } from '../support/raw-pdu';
import { trackChild } from '../support/child-registry';
import { freePort } from '../support/ports';
import { repoRoot, startTestServer, TestServer } from '../support/server';
import { testDatabase } from '../support/test-database';

const BUCKET = 'two-nodes';

describe('two nodes on one database and one bucket', () => {
  let gateway: Radosgw;
  let db: DatabaseHandle;
  const nodes: TestServer[] = [];
  const dataDirs = [0, 1].map(() => {
    const dir = mkdtempSync(join(tmpdir(), 'pacs-node-'));
    chmodSync(dir, 0o755);
    return dir;
  });
  // A user cache far longer than the test: a change reaches the other node by its announcement.
  const shared = { PACS_ADMIN_PASSWORD: randomBytes(9).toString('base64url'), PACS_JWT_SECRET: randomBytes(32).toString('base64url'), PACS_AUTH_USER_CACHE_SECONDS: '600' };
  const env = (node: number): Record<string, string> => ({
    ...shared,
    DATABASE_URL: db.url,
    PACS_NODE_ID: `node-${node}`,
    PACS_STORAGE_BACKEND: 's3',
    PACS_S3_ENDPOINT: gateway.endpoint,
    PACS_S3_BUCKET: BUCKET,
    PACS_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: gateway.accessKeyId,
    AWS_SECRET_ACCESS_KEY: gateway.secretAccessKey,
  });
  const start = (node: number) => startTestServer({ dataDir: dataDirs[node], env: env(node) });
  /** The study of the first scenario: series 0 and 2 sent to node 0, series 1 and 3 to node 1. */
  let split: ReturnType<typeof generateStudy>;

  before(async () => {
    gateway = await startRadosgw();
    await gateway.createBucket(BUCKET);
    db = await testDatabase({ empty: true });
    // Both on a new database at once: one migrates, the other waits for it.
    nodes.push(...(await Promise.all([start(0), start(1)])));
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    await db?.stop();
    await gateway?.stop();
  });

  it('keeps everything either node acknowledged when one is killed mid-send, and both nodes agree', async () => {
    const study = (split = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-two-')), { series: 4, instancesPerSeries: 40, patientId: 'TWO-NODES' }));
    const seriesFiles = study.seriesUids.map((_, s) => study.files.slice(s * 40, (s + 1) * 40));
    const sends = seriesFiles.map((files, s) => storescu(nodes[s % 2].dimsePort, files, { timeoutMs: 300_000 }));
    const token = await nodes[0].token();
    await waitForInstances(nodes[0], token, study.studyUid, 30);
    await nodes[1].stop('SIGKILL');
    const results = await Promise.all(sends);
    const acknowledged = study.files.flatMap((path, i) => (results[Math.floor(i / 40)].statuses[i % 40] === '0x0000' ? [{ path, i }] : []));
    assert.ok(acknowledged.length >= 30, `${acknowledged.length} acknowledged`);
    assert.ok(acknowledged.length < study.files.length, 'the kill cut the sends to the killed node short');

    nodes[1] = await start(1);
    const counts = await Promise.all(nodes.map(async (node) => instancesOf(node, await node.token(), study.studyUid)));
    assert.equal(counts[0], counts[1], 'both nodes count the same');
    assert.ok(counts[0] >= acknowledged.length, `${counts[0]} indexed for ${acknowledged.length} acknowledged`);
    for (const node of nodes) {
      const nodeToken = await node.token();
      for (const { path, i } of acknowledged) {
        const url = `${node.httpUrl}/dicomweb/studies/${study.studyUid}/series/${study.seriesUids[Math.floor(i / 40)]}/instances/${study.sopInstanceUids[i]}`;
        const res = await http(url, { token: nodeToken, headers: { accept: 'application/dicom' } });
        assert.equal(res.status, 200, url);
        assert.ok(datasetOf(res.body).equals(datasetOf(readFileSync(path))), `instance ${i} from ${url}`);
      }
    }
  });

  it('leaves the audit chain intact and no object without its row, nor a row without its object', async () => {
    const token = await nodes[0].token();
    await http(`${nodes[0].httpUrl}/api/users`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'auditor2', password: 'auditor-password', roles: ['auditor'] }),
    });
    // Staged events (those the killed node staged too) are sealed into the chain by any node within about a second.
    for (const node of nodes) {
      const auditor = await node.token('auditor2', 'auditor-password');
      const verify = async () => (await http(`${node.httpUrl}/api/audit/verify`, { token: auditor })).json<Record<string, unknown>>();
      let report = await verify();
      for (let i = 0; i < 50 && report.unsealed; i++, report = await verify()) await sleep(100);
      assert.deepEqual(report, { intact: true });
    }
    // Each C-STORE event names the node that took the instance, whichever node sealed it.
    const stored = await http(`${nodes[0].httpUrl}/api/audit?studyUid=${split.studyUid}&action=110104&limit=1000`, { token });
    const events = stored.json<{ items: { source: string; details: { seriesUid: string } }[] }>().items;
    assert.ok(events.length >= 30, `${events.length} store events`);
    for (const e of events) assert.equal(e.source, `node-${split.seriesUids.indexOf(e.details.seriesUid) % 2}`);
    const { PACS_NODE_ID: _, ...cli } = env(0);
    const verify = await runPacs(['storage', 'verify', '--grace', '0'], { ...cli, PACS_DATA_DIR: dataDirs[0] });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /orphans: 0\n/);
    assert.match(verify.stdout, /missing: 0\n/);
  });

  it('reports a study complete on both nodes when its MPPS went to one and its images to the other', async () => {
    const study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-two-mpps-')), { series: 1, instancesPerSeries: 3, patientId: 'TWO-MPPS' });
    const step = newUid();
    const performed = [{ seriesUid: study.seriesUids[0], sopUids: study.sopInstanceUids }];
    assert.deepEqual(await sendMpps(nodes[0].dimsePort, [{ create: step, attrs: inProgress(study.studyUid, 'SPS-TWO') }, { set: step, attrs: finish('COMPLETED', performed) }]), [0, 0]);
    assert.deepEqual((await storescu(nodes[1].dimsePort, study.files)).statuses, ['0x0000', '0x0000', '0x0000']);
    for (const node of nodes) {
      const token = await node.token();
      const completeness = async () => (await http(`${node.httpUrl}/api/studies/${study.studyUid}/completeness`, { token })).json<{ complete: boolean }>();
      let state = await completeness();
      for (let i = 0; i < 100 && !state.complete; i++, state = await completeness()) await sleep(50);
      assert.equal(state.complete, true, `${node.httpUrl} reports the study complete`);
    }
  });

  it('refuses at once on the other node the token of a user disabled on one', async () => {
    const admin = await nodes[0].token();
    const users = `${nodes[0].httpUrl}/api/users`;
    const json = { 'content-type': 'application/json' };
    await http(users, { method: 'POST', token: admin, headers: json, body: JSON.stringify({ username: 'rad-two', password: 'rad-two-password', roles: ['radiologist'] }) });
    const token = await nodes[1].token('rad-two', 'rad-two-password');
    const studies = () => http(`${nodes[1].httpUrl}/dicomweb/studies?limit=1`, { token });
    assert.equal((await studies()).status, 200, 'the user is now cached on node 1');
    assert.equal((await http(`${users}/rad-two`, { method: 'PATCH', token: admin, headers: json, body: JSON.stringify({ disabled: true }) })).status, 200);
    let status = (await studies()).status;
    for (let i = 0; i < 50 && status !== 401; i++, status = (await studies()).status) await sleep(20);
    assert.equal(status, 401);
  });

  it('serves a modality and a viewer through HAProxy in front of both nodes, as the README configures it', async () => {
    const balancer = await startHaproxy(nodes);
    try {
      const study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-lb-')), { series: 1, instancesPerSeries: 4, patientId: 'TWO-LB' });
      for (const file of study.files) assert.deepEqual((await storescu(balancer.dimsePort, [file])).statuses, ['0x0000']);
      const token = await nodes[0].token();
      const found = await http(`http://127.0.0.1:${balancer.httpPort}/dicomweb/studies?PatientID=TWO-LB&includefield=00201208`, { token });
      assert.equal(found.status, 200);
      assert.equal(found.json<Record<string, { Value: number[] }>[]>()[0]['00201208'].Value[0], 4);
      for (const node of nodes) assert.match(node.logs(), /association accepted[^\n]*TESTSCU/, `${node.httpUrl} took associations`);
    } finally {
      balancer.stop();
    }
  });
});

/** HAProxy with the README's configuration, on free ports, towards the nodes on loopback. */
async function startHaproxy(nodes: TestServer[]): Promise<{ dimsePort: number; httpPort: number; stop(): void }> {
  const [dimsePort, httpPort] = [await freePort(), await freePort()];
  const servers = (port: (n: TestServer) => number, check: string) =>
    nodes.map((n, i) => `    server node${i + 1} 127.0.0.1:${port(n)} check${check.replace('PORT', new URL(n.httpUrl).port)}`).join('\n');
  const config = readFileSync(join(repoRoot(), 'README.md'), 'utf8')
    .split('```')
    .find((block) => block.includes('frontend dicom'))!
    .replace(/bind :11112/, `bind 127.0.0.1:${dimsePort}`)
    .replace(/bind :8080/, `bind 127.0.0.1:${httpPort}`)
    .replace(/( {4}server node1 10\.0\.0\.11:11112 check port 8080\n {4}server node2 10\.0\.0\.12:11112 check port 8080)/, servers((n) => n.dimsePort, ' port PORT'))
    .replace(/( {4}server node1 10\.0\.0\.11:8080 check\n {4}server node2 10\.0\.0\.12:8080 check)/, servers((n) => Number(new URL(n.httpUrl).port), ''));
  assert.doesNotMatch(config, /10\.0\.0\./, 'every server line of the README replaced');
  const file = join(mkdtempSync(join(tmpdir(), 'pacs-haproxy-')), 'haproxy.cfg');
  writeFileSync(file, config);
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: 'ignore' });
  trackChild(child);
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${httpPort}/health`).then((r) => r.status === 200, () => false);
    if (up) break;
    await sleep(100);
  }
  await sleep(2500); // both DIMSE servers marked up by their first health checks
  return { dimsePort, httpPort, stop: () => child.kill('SIGTERM') };
}

async function instancesOf(node: TestServer, token: string, studyUid: string): Promise<number> {
  const res = await http(`${node.httpUrl}/dicomweb/studies?StudyInstanceUID=${studyUid}&includefield=00201208`, { token });
  return (res.json<Record<string, { Value?: number[] }>[]>()[0]?.['00201208']?.Value?.[0] as number | undefined) ?? 0;
}

async function waitForInstances(node: TestServer, token: string, studyUid: string, count: number): Promise<void> {
  for (let i = 0; i < 500 && (await instancesOf(node, token, studyUid)) < count; i++) await sleep(20);
}
