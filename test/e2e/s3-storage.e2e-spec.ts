// Blobs in an S3 bucket (PACS_STORAGE_BACKEND=s3) on a real Ceph radosgw: a start that cannot
// use the bucket stops with a message naming the setting; an outage of the gateway in the middle
// of a send refuses the stores in flight, says so on /health and in /metrics, loses nothing
// acknowledged, and passes by itself when the gateway is back. The other paths (STOW-RS, WADO-RS,
// frames, C-GET, C-MOVE, delete, commitment) run on S3 in the suite's S3 pass (run-tests.mjs).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { storescu } from '../support/dcmtk';
import { generateStudy } from '../support/generator';
import { http } from '../support/http';
import { runPacs } from '../support/pacs-cli';
import { datasetOf } from '../support/raw-pdu';
import { freePort } from '../support/ports';
import { Radosgw, startRadosgw } from '../support/radosgw';
import { startTestServer, TestServer } from '../support/server';

const METRICS_TOKEN = 'metrics-token-s3';

describe('blobs in an S3 bucket on Ceph radosgw', () => {
  let gateway: Radosgw;
  let server: TestServer;
  let token: string;
  const s3Env = (bucket: string, overrides: Record<string, string> = {}) => ({
    PACS_STORAGE_BACKEND: 's3',
    PACS_S3_ENDPOINT: gateway.endpoint,
    PACS_S3_BUCKET: bucket,
    PACS_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: gateway.accessKeyId,
    AWS_SECRET_ACCESS_KEY: gateway.secretAccessKey,
    PACS_METRICS_TOKEN: METRICS_TOKEN,
    ...overrides,
  });
  const health = async () => {
    const res = await http(`${server.httpUrl}/health`);
    return { status: res.status, body: res.body.toString('utf8') };
  };
  const instanceBytes = async (studyUid: string, seriesUid: string, sopUid: string) => {
    const res = await http(`${server.httpUrl}/dicomweb/studies/${studyUid}/series/${seriesUid}/instances/${sopUid}`, { token, headers: { accept: 'application/dicom' } });
    assert.equal(res.status, 200, `instance ${sopUid}`);
    return res.body;
  };

  before(async () => {
    gateway = await startRadosgw();
    await gateway.createBucket('pacs-e2e');
    server = await startTestServer({ env: s3Env('pacs-e2e') });
    token = await server.token();
  });

  after(async () => {
    await server?.stop();
    await gateway?.stop();
  });

  it('stops at start-up with a message naming the setting when the bucket, the credentials or the endpoint is wrong', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PACS_S3_BUCKET: 'no-such-bucket' }, /PACS_S3_BUCKET: bucket no-such-bucket does not exist/],
      [{ AWS_SECRET_ACCESS_KEY: 'wrong-secret' }, /AWS_SECRET_ACCESS_KEY/],
      [{ PACS_S3_ENDPOINT: `http://127.0.0.1:${await freePort()}` }, /PACS_S3_ENDPOINT: cannot reach/],
    ];
    for (const [overrides, message] of cases) {
      const started = startTestServer({ env: s3Env('pacs-e2e', overrides) });
      await assert.rejects(started, (err: Error) => message.test(err.message) && /PACS failed to start/.test(err.message), `${JSON.stringify(overrides)} → ${message}`);
    }
  });

  it('keeps what it acknowledged through a gateway outage mid-send, reports storage down, and stores again once it is back', async () => {
    const study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-s3-')), { series: 1, instancesPerSeries: 60, patientId: 'S3-OUTAGE' });
    const sending = storescu(server.dimsePort, study.files, { timeoutMs: 300_000 });
    await waitForStored(server, token, study.studyUid, 10);
    await gateway.stopGateway();
    const first = await sending;
    const series = study.seriesUids[0];
    const acknowledged = study.files.flatMap((path, i) => (first.statuses[i] === '0x0000' ? [{ path, sopInstanceUid: study.sopInstanceUids[i] }] : []));
    const refused = first.statuses.filter((s) => s !== '0x0000');
    assert.ok(acknowledged.length >= 10 && refused.length > 0, first.statuses.join(' '));
    assert.ok(refused.every((s) => s === '0xa700'), `refused as Out of Resources: ${refused.join(' ')}`);
    const down = await health();
    assert.equal(down.status, 503);
    assert.match(down.body, /storage unreachable/);
    const metrics = await http(`${server.httpUrl}/metrics`, { token: METRICS_TOKEN });
    assert.match(metrics.body.toString('utf8'), /pacs_storage_errors_total\{operation="put",node="[^"]+"\} [1-9]/);

    await gateway.startGateway();
    for (let i = 0; i < 100 && (await health()).status !== 200; i++) await sleep(200);
    assert.equal((await health()).status, 200, 'storage back up without a restart');
    const second = await storescu(server.dimsePort, study.files, { timeoutMs: 300_000 });
    assert.deepEqual(second.statuses, study.files.map(() => '0x0000'));
    for (const instance of acknowledged) {
      const sent = datasetOf(readFileSync(instance.path));
      assert.ok(datasetOf(await instanceBytes(study.studyUid, series, instance.sopInstanceUid)).equals(sent), 'acknowledged before the outage: the same data set');
    }
  });

  it('moves a site from its filesystem store into a bucket with storage copy-to-s3, resumably, and serves it from there', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pacs-move-'));
    chmodSync(dataDir, 0o755);
    const study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-move-in-')), { series: 1, instancesPerSeries: 5, patientId: 'S3-MOVE' });
    const local = { PACS_DATA_DIR: dataDir, PACS_EMBEDDED_PG_PORT: String(await freePort()), PACS_ADMIN_PASSWORD: 'move-admin-pw' };
    const imported = await runPacs(['import', dirname(study.files[0]), '--no-progress'], local);
    assert.equal(imported.code, 0, imported.stdout + imported.stderr);
    await gateway.createBucket('pacs-moved');
    const { PACS_METRICS_TOKEN: _, ...s3 } = s3Env('pacs-moved');
    const copy = () => runPacs(['storage', 'copy-to-s3', '--no-progress'], { ...local, ...s3 });
    const first = await copy();
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /copied: 5\nalready in the bucket: 0\nfailed: 0\n/);
    assert.match((await copy()).stdout, /copied: 0\nalready in the bucket: 5\nfailed: 0\n/, 'a second run resumes: nothing copied twice');

    server = await restartOn(dataDir, { ...local, ...s3Env('pacs-moved') });
    token = await server.token();
    for (const [i, file] of study.files.entries()) {
      assert.ok(datasetOf(await instanceBytes(study.studyUid, study.seriesUids[0], study.sopInstanceUids[i])).equals(datasetOf(readFileSync(file))));
    }
    const verify = await runPacs(['storage', 'verify', '--grace', '0'], { ...local, ...s3 });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /blobs: 5\n/);
  });

  /** The suite's server gives way to one on `dataDir` (stopped by after()). */
  async function restartOn(dataDir: string, env: Record<string, string>): Promise<TestServer> {
    await server.stop();
    return startTestServer({ dataDir, env });
  }
});

async function waitForStored(server: TestServer, token: string, studyUid: string, count: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const res = await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${studyUid}&includefield=00201208`, { token });
    const found = res.json<Record<string, { Value?: number[] }>[]>()[0];
    if ((found?.['00201208']?.Value?.[0] ?? 0) >= count) return;
    await sleep(20);
  }
  throw new Error(`${count} instances of ${studyUid} not stored in time`);
}
