// Webhooks end to end (issue 33): a local HTTP receiver is told of a study stored with storescu
// (study.received, signed with HMAC-SHA256), gets the event once after answering 500, gets it
// after it comes up when it was down, and is told of an IOCM rejection (instance.rejected) and of
// a study that MPPS completed (study.complete).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { storescu } from '../support/dcmtk';
import { CT_IMAGE_STORAGE, generateStudy, newUid } from '../support/generator';
import { http } from '../support/http';
import { finish, inProgress, sendMpps } from '../support/mpps';
import { runPacs } from '../support/pacs-cli';
import { freePort } from '../support/ports';
import { writeRejectionNote } from '../support/rejection-note';
import { storageEnv } from '../support/s3';
import { startTestServer, TestServer } from '../support/server';

const PUBLIC_URL = 'https://pacs.example.org';
const ENV = { PACS_JOBS_POLL_MS: '200', PACS_JOBS_RETRY_BASE_MS: '300', PACS_JOBS_RETRY_MAX_MS: '1000', PACS_WEBHOOKS_DEBOUNCE_SECONDS: '1', PACS_PUBLIC_URL: PUBLIC_URL };

interface Delivery {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; event: string; time: string; study: Record<string, string | null>; instances?: { sopInstanceUid: string }[]; reason?: { code: string } };
  answered: number;
}

/** A system that takes webhooks on loopback: records each POST, answers `statuses` in turn, then 200. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  statuses: number[] = [];
  private server: Server | undefined;

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const answered = this.statuses.shift() ?? 200;
        this.deliveries.push({ headers: req.headers, raw, body: JSON.parse(raw), answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  of(studyUid: string, event = 'study.received'): Delivery[] {
    return this.deliveries.filter((d) => d.body.event === event && d.body.study.StudyInstanceUID === studyUid);
  }
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const validSignature = (d: Delivery, secret: string) => d.headers['x-pacs-signature'] === `sha256=${createHmac('sha256', secret).update(d.raw).digest('hex')}`;

describe('webhooks: study events POSTed, signed, to a receiver through the job queue', () => {
  let server: TestServer;
  let token: string;
  let receiver: Receiver;
  let webhookId: string;
  let secret: string;
  let pgPort: number;
  const root = mkdtempSync(join(tmpdir(), 'pacs-webhooks-'));

  const api = (path: string, opts: { method?: string; body?: unknown } = {}) =>
    http(`${server.httpUrl}${path}`, {
      method: opts.method,
      token,
      headers: opts.body ? { 'content-type': 'application/json' } : {},
      body: opts.body ? JSON.stringify(opts.body) : undefined,
    });
  const study = (name: string, instances: number, accessionNumber = `ACC-${name}`) =>
    generateStudy(join(root, name), { series: 1, instancesPerSeries: instances, patientId: `PID-${name}`, accessionNumber });
  const store = async (files: string[]) => {
    const res = await storescu(server.dimsePort, files);
    assert.ok(res.statuses.every((s) => s === '0x0000') && res.statuses.length === files.length, res.stdout + res.stderr);
  };

  before(async () => {
    receiver = new Receiver(await freePort());
    await receiver.start();
    pgPort = await freePort();
    server = await startTestServer({ env: { ...ENV, PACS_EMBEDDED_PG_PORT: String(pgPort) } });
    token = await server.token();
  });

  after(async () => {
    await receiver?.stop();
    await server?.stop();
  });

  it('validates webhooks, shows the secret only on creation, and audits each change', async () => {
    const url = `http://127.0.0.1:${receiver.port}/events`;
    const ftp = await api('/api/webhooks', { method: 'POST', body: { url: 'ftp://127.0.0.1/x', events: ['study.received'] } });
    assert.equal(ftp.status, 400);
    assert.match(JSON.stringify(ftp.json()), /http or https/);
    const unknownEvent = await api('/api/webhooks', { method: 'POST', body: { url, events: ['study.exploded'] } });
    assert.equal(unknownEvent.status, 400);
    assert.match(JSON.stringify(unknownEvent.json()), /study\.received, study\.complete, instance\.rejected/);
    const spaced = await api('/api/webhooks', { method: 'POST', body: { url, events: ['study.received'], secret: 'a secret with spaces' } });
    assert.equal(spaced.status, 400);
    assert.match(JSON.stringify(spaced.json()), /printable ASCII/);
    const created = await api('/api/webhooks', { method: 'POST', body: { url, events: ['study.received', 'instance.rejected'] } });
    assert.equal(created.status, 201, created.body.toString());
    ({ id: webhookId, secret } = created.json<{ id: string; secret: string }>());
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.deepEqual((await api('/api/webhooks')).json(), [{ id: webhookId, url, events: ['study.received', 'instance.rejected'], enabled: true }]);
    const replaced = await api(`/api/webhooks/${webhookId}`, { method: 'PUT', body: { url, events: ['study.received', 'instance.rejected'], secret: 'a-secret-of-the-receiver', enabled: true } });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.json().secret, undefined, 'the secret is not shown again');
    secret = 'a-secret-of-the-receiver';
    assert.equal((await api('/api/webhooks/0e9f6c5c-0000-4000-8000-000000000000', { method: 'DELETE' })).status, 404);
    const audit = (await api('/api/audit?action=110113&limit=1000')).json<{ items: { details: { path?: string; method?: string } }[] }>();
    const paths = audit.items.map((e) => e.details.path);
    assert.ok(paths.includes('/api/webhooks') && paths.includes('/api/webhooks/:id'), JSON.stringify(paths));
  });

  it('sends study.received once for a study stored by storescu, signed, with its identifiers and DICOMweb URL', async () => {
    const sent = study('received', 3);
    await store(sent.files);
    await until('study.received', () => receiver.of(sent.studyUid).length > 0);
    await sleep(1500); // a second event for the same burst would come now
    const [delivery, ...more] = receiver.of(sent.studyUid);
    assert.equal(more.length, 0, 'one event for the burst');
    assert.ok(validSignature(delivery, secret), 'X-PACS-Signature is the HMAC-SHA256 of the body with the secret');
    assert.equal(delivery.headers['x-pacs-event-id'], delivery.body.id);
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.deepEqual(delivery.body.study, {
      StudyInstanceUID: sent.studyUid,
      PatientID: 'PID-received',
      AccessionNumber: 'ACC-received',
      url: `${PUBLIC_URL}/dicomweb/studies/${sent.studyUid}`,
    });
    assert.ok(!Number.isNaN(Date.parse(delivery.body.time)));
  });

  it('retries after the receiver answers 500 and delivers the event once, with one event id', async () => {
    receiver.statuses = [500];
    const sent = study('retried', 1);
    await store(sent.files);
    await until('the retried delivery', () => receiver.of(sent.studyUid).some((d) => d.answered === 200));
    await sleep(1000);
    const deliveries = receiver.of(sent.studyUid);
    assert.deepEqual(deliveries.map((d) => d.answered), [500, 200]);
    assert.equal(deliveries[0].body.id, deliveries[1].body.id, 'the same event, for the receiver to deduplicate');
    const jobs = (await api('/api/jobs?type=webhook&state=completed&limit=100')).json<{ jobs: { payload: { studyUid: string }; attempts: number }[] }>().jobs;
    assert.equal(jobs.find((j) => j.payload.studyUid === sent.studyUid)?.attempts, 2);
  });

  it('keeps the event while the receiver is down, shows why in /api/jobs, and delivers it once it is up', async () => {
    await receiver.stop();
    const sent = study('down', 1);
    await store(sent.files);
    const waiting = async () => (await api('/api/jobs?type=webhook&state=retry')).json<{ jobs: { lastError: string; orderingKey: string }[] }>().jobs;
    await until('a delivery waiting for its retry', async () => (await waiting()).length > 0);
    const [job] = await waiting();
    assert.equal(job.orderingKey, `webhook:${webhookId}`);
    assert.match(job.lastError, /ECONNREFUSED/);
    await receiver.start();
    await until('the event after the receiver came up', () => receiver.of(sent.studyUid).length > 0);
    assert.ok(validSignature(receiver.of(sent.studyUid)[0], secret));
  });

  it('sends instance.rejected with the instances an IOCM Rejection Note hid and its reason', async () => {
    const sent = study('rejected', 2);
    await store(sent.files);
    const note = join(root, 'note.dcm');
    writeRejectionNote(note, {
      code: '113001',
      meaning: 'Rejected for Quality Reasons',
      patientId: 'PID-rejected',
      referenced: { studyUid: sent.studyUid, sopClassUid: CT_IMAGE_STORAGE, series: [{ seriesUid: sent.seriesUids[0], sopInstanceUids: [sent.sopInstanceUids[0]] }] },
    });
    await store([note]);
    await until('instance.rejected', () => receiver.of(sent.studyUid, 'instance.rejected').length > 0);
    const [delivery] = receiver.of(sent.studyUid, 'instance.rejected');
    assert.ok(validSignature(delivery, secret));
    assert.deepEqual(delivery.body.instances?.map((i) => i.sopInstanceUid), [sent.sopInstanceUids[0]]);
    assert.equal(delivery.body.reason?.code, '113001');
    assert.equal(delivery.body.study.PatientID, 'PID-rejected');
    assert.equal(delivery.body.study.url, `${PUBLIC_URL}/dicomweb/studies/${sent.studyUid}`);
  });

  it('sends study.complete once MPPS reports the study COMPLETED and its images are stored', async () => {
    const url = `http://127.0.0.1:${receiver.port}/events`;
    const events = ['study.received', 'instance.rejected', 'study.complete'];
    assert.equal((await api(`/api/webhooks/${webhookId}`, { method: 'PUT', body: { url, events } })).status, 200);
    const sent = study('complete', 2);
    await store(sent.files);
    const step = newUid();
    const performed = [{ seriesUid: sent.seriesUids[0], sopUids: sent.sopInstanceUids }];
    assert.deepEqual(await sendMpps(server.dimsePort, [{ create: step, attrs: inProgress(sent.studyUid, 'SPS1') }, { set: step, attrs: finish('COMPLETED', performed) }]), [0, 0]);
    await until('study.complete', () => receiver.of(sent.studyUid, 'study.complete').length > 0);
    const [delivery] = receiver.of(sent.studyUid, 'study.complete');
    assert.ok(validSignature(delivery, secret), 'the secret was kept by a PUT without one');
    assert.equal(delivery.body.study.AccessionNumber, 'ACC-complete');
  });

  it('sends study.received for a study `pacs import` stores beside the running server', async () => {
    const sent = study('imported', 2);
    const env = { PACS_DATA_DIR: server.dataDir, PACS_EMBEDDED_PG_PORT: String(pgPort), ...(await storageEnv(server.dataDir)) };
    const run = await runPacs(['import', join(root, 'imported'), '--no-progress'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    await until('study.received of the import', () => receiver.of(sent.studyUid).length > 0);
    assert.equal(receiver.of(sent.studyUid)[0].body.study.PatientID, 'PID-imported');
  });
});
