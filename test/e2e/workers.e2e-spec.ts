// PACS_WORKERS=2 (issue 29): two server processes share the HTTP and DICOM ports over the one
// embedded PostgreSQL. Both take associations; a worker killed with SIGKILL is replaced while the
// other serves on; SIGTERM stops every worker and PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { storescu } from '../support/dcmtk';
import { generateStudy } from '../support/generator';
import { http } from '../support/http';
import { commandLine, processTree, waitGone } from '../support/process-tree';
import { startTestServer, TestServer, waitForLog } from '../support/server';

const SCRAPE_TOKEN = 'scrape-token-for-workers';

describe('PACS_WORKERS=2: two workers on shared ports', () => {
  let server: TestServer;
  let token: string;
  const workers = () => processTree(server.pid).filter((pid) => pid !== server.pid && commandLine(pid).includes('pacs-server/src/main.js'));
  const count = async (patientId: string) => {
    const res = await http(`${server.httpUrl}/dicomweb/studies?PatientID=${patientId}&includefield=00201208`, { token });
    return (res.json<Record<string, { Value: number[] }>[]>()[0]?.['00201208']?.Value[0] as number | undefined) ?? 0;
  };
  const sendStudy = async (patientId: string, associations: number) => {
    const study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-workers-')), { series: associations, instancesPerSeries: 5, patientId });
    const parts = Array.from({ length: associations }, (_, a) => study.files.slice(a * 5, (a + 1) * 5));
    return Promise.all(parts.map((files) => storescu(server.dimsePort, files)));
  };

  before(async () => {
    server = await startTestServer({ env: { PACS_WORKERS: '2', PACS_NODE_ID: 'pacs', PACS_METRICS_TOKEN: SCRAPE_TOKEN } });
    token = await server.token();
  });

  after(async () => {
    await server?.stop().catch(() => undefined);
  });

  it('starts two workers that both take associations and store into one archive', async () => {
    assert.equal(workers().length, 2);
    assert.match(server.logs(), /Workers {3}2 processes sharing both ports/);
    const sent = await sendStudy('WORKERS-1', 8);
    for (const s of sent) assert.deepEqual(s.statuses, ['0x0000', '0x0000', '0x0000', '0x0000', '0x0000']);
    assert.equal(await count('WORKERS-1'), 40);
    const served = new Set([...server.logs().matchAll(/"node":"(pacs\/w\d)"[^\n]*"association accepted"/g)].map((m) => m[1]));
    assert.deepEqual([...served].sort(), ['pacs/w0', 'pacs/w1'], 'each worker took associations');
    const stored = (await http(`${server.httpUrl}/api/audit?patientId=WORKERS-1&action=110104&limit=100`, { token })).json<{ items: { source: string }[] }>().items;
    assert.equal(stored.length, 40);
    assert.deepEqual([...new Set(stored.map((e) => e.source))].sort(), ['pacs/w0', 'pacs/w1'], 'each worker names itself in the audit events of its stores');
  });

  it('shows the series of both workers in every scrape of /metrics, whichever worker answers', async () => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const res = await scrape(`${server.httpUrl}/metrics`);
      assert.equal(res.status, 200);
      const stored = [...res.text.matchAll(/^pacs_instances_stored_total\{[^}]*node="(pacs\/w\d)"[^}]*\} (\d+)/gm)];
      assert.deepEqual([...new Set(stored.map((m) => m[1]))].sort(), ['pacs/w0', 'pacs/w1']);
      assert.equal(stored.reduce((sum, m) => sum + Number(m[2]), 0), 40, 'the 40 instances stored, summed over the workers');
    }
  });

  it('replaces a worker killed with SIGKILL while the other serves on', async () => {
    const [victim, survivor] = workers();
    process.kill(victim, 'SIGKILL');
    // Kept-alive connections to the killed worker are reset, and one handed to it in the instant
    // before the primary hears of its death is lost (as any client sees); new ones reach the other.
    assert.equal(await healthWithin(`${server.httpUrl}/health`, 10_000), 200, 'the other worker answers');
    assert.ok(await waitFor(() => /worker \d replaced/.test(server.logs())), server.logs().slice(-2000));
    const now = workers();
    assert.equal(now.length, 2);
    assert.ok(now.includes(survivor) && !now.includes(victim));
    const sent = await sendStudy('WORKERS-2', 4);
    for (const s of sent) assert.deepEqual(s.statuses, ['0x0000', '0x0000', '0x0000', '0x0000', '0x0000']);
    assert.equal(await count('WORKERS-2'), 20);
  });

  it('stops every worker and the embedded PostgreSQL on SIGTERM', async () => {
    const tree = processTree(server.pid);
    assert.ok(tree.some((pid) => commandLine(pid).includes('postgres')), 'PostgreSQL runs under the primary');
    const { code } = await server.stop('SIGTERM');
    assert.equal(code, 0);
    assert.ok(await waitForLog(server, /SIGTERM received, stopping/));
    assert.deepEqual(await waitGone(tree, 20_000), [], 'no process of the tree is left');
  });
});

/** GET /metrics on a connection of its own, so the shared port may hand it to either worker. */
function scrape(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    }).on('error', reject);
  });
}

/** /health on connections of their own (no keep-alive), each given a second; the first status. */
async function healthWithin(url: string, timeoutMs: number): Promise<number> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    const status = await new Promise<number>((resolve) => {
      const req = get(url, { agent: false, timeout: 1000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(0));
    });
    if (status !== 0) return status;
  }
  return 0;
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end && !condition(); ) await sleep(50);
  return condition();
}
