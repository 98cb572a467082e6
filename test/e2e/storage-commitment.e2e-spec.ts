// Storage Commitment Push Model (PS3.4 J) end to end. DCMTK has no storage commitment SCU, so the
// modality is dcmjs-dimse on real sockets: a Client sends the N-ACTION, and a Server stands in for
// the modality's own SCP where the result comes on a new association. Instances are stored first
// with DCMTK storescu.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'dcmjs-dimse';
import { action, Attrs, commit, COMMITMENT, CT, ModalityScp, MR, received, Reference, waitFor } from '../support/commitment-peer';
import { storescu } from '../support/dcmtk';
import { generateStudy, newUid } from '../support/generator';
import { http } from '../support/http';
import { freePort } from '../support/ports';
import { startTestServer, TestServer, waitForLog } from '../support/server';

const SCRAPE_TOKEN = 'storage-commitment-scrape-token';

const uidsOf = (items: Attrs[] | undefined) => (items ?? []).map((i) => i.ReferencedSOPInstanceUID).sort();

describe('Storage Commitment Push Model SCP (PS3.4 J)', () => {
  let server: TestServer;
  let modality: Server;
  let stored: Reference[];

  before(async () => {
    const [modalityPort, deadPort] = [await freePort(), await freePort()];
    modality = new Server(ModalityScp);
    modality.listen(modalityPort);
    server = await startTestServer({
      env: { PACS_METRICS_TOKEN: SCRAPE_TOKEN },
      peers: [
        { aeTitle: 'MODALITY', host: '127.0.0.1', port: modalityPort, services: ['echo', 'store'] },
        { aeTitle: 'GONE', host: '127.0.0.1', port: deadPort, services: ['echo', 'store'] },
        { aeTitle: 'VIEWER', host: '127.0.0.1', port: deadPort, services: ['echo', 'find'] },
      ],
    });
    const study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-stgcmt-')), { series: 1, instancesPerSeries: 3 });
    const sent = await storescu(server.dimsePort, study.files, { callingAe: 'MODALITY' });
    assert.deepEqual(sent.statuses, ['0x0000', '0x0000', '0x0000'], sent.stderr);
    stored = study.sopInstanceUids.map((sopInstanceUid) => ({ sopClassUid: CT, sopInstanceUid }));
  });
  after(async () => {
    modality?.close();
    await server?.stop();
  });

  it('reports on the same association while the modality keeps it open: stored ones committed, others failed with their reason', async () => {
    const transactionUid = newUid();
    const missing = { sopClassUid: CT, sopInstanceUid: newUid() };
    const wrongClass = { sopClassUid: MR, sopInstanceUid: stored[0].sopInstanceUid };
    const outcome = await commit(server.dimsePort, 'MODALITY', [action([...stored, missing, wrongClass], { transactionUid })], 3_000);
    assert.deepEqual(outcome.actionStatuses, [0x0000]);
    assert.equal(outcome.reportsHere.length, 1, 'one N-EVENT-REPORT on the association');
    const [report] = outcome.reportsHere;
    assert.equal(report.eventTypeId, 2, 'Storage Commitment Request Complete - Failures Exist');
    assert.equal(report.attrs.TransactionUID, transactionUid);
    assert.deepEqual(uidsOf(report.attrs.ReferencedSOPSequence), uidsOf(stored.map((s) => ({ ReferencedSOPInstanceUID: s.sopInstanceUid }))));
    assert.equal(report.attrs.ReferencedSOPSequence[0].RetrieveAETitle, 'PACS');
    const failed = Object.fromEntries((report.attrs.FailedSOPSequence as Attrs[]).map((f) => [`${f.ReferencedSOPClassUID}|${f.ReferencedSOPInstanceUID}`, f.FailureReason]));
    assert.deepEqual(failed, { [`${CT}|${missing.sopInstanceUid}`]: 0x0112, [`${MR}|${wrongClass.sopInstanceUid}`]: 0x0119 });
    assert.ok(await waitForLog(server, /storage commitment result sent.*same association/));
  });

  it('opens a new association to the registered modality when it released its own, proposing the SCP role', async () => {
    const transactionUid = newUid();
    const outcome = await commit(server.dimsePort, 'MODALITY', [action(stored, { transactionUid })]);
    assert.deepEqual(outcome.actionStatuses, [0x0000]);
    const report = await waitFor(() => received.find((r) => r.attrs.TransactionUID === transactionUid));
    assert.ok(report, 'the result reached the modality SCP');
    assert.equal(report.eventTypeId, 1, 'Storage Commitment Request Successful');
    assert.equal(report.attrs.FailedSOPSequence, undefined);
    assert.equal(report.attrs.ReferencedSOPSequence.length, 3);
    assert.equal(report.callingAe.trim(), 'PACS');
    // PS3.7 D.3.3.4: item 54H naming the SOP class, SCU role 0, SCP role 1.
    const uid = Buffer.from(COMMITMENT, 'latin1');
    const role = Buffer.concat([Buffer.from([0x54, 0, 0, 4 + uid.length, 0, uid.length]), uid, Buffer.from([0, 1])]);
    assert.ok(report.associateRq.includes(role), 'the A-ASSOCIATE-RQ carries SCP/SCU Role Selection');
  });

  it('refuses a peer without the store right, an unknown action, a missing Transaction UID; the association goes on', async () => {
    const denied = await commit(server.dimsePort, 'VIEWER', [action(stored)]);
    assert.deepEqual(denied.actionStatuses, [0x0124]);
    const bad = await commit(server.dimsePort, 'MODALITY', [
      action(stored, { actionTypeId: 2 }),
      action(stored, { dataset: { ReferencedSOPSequence: [{ ReferencedSOPClassUID: CT, ReferencedSOPInstanceUID: stored[0].sopInstanceUid }] } }),
      action([], { transactionUid: newUid() }),
      action(stored),
    ]);
    assert.deepEqual(bad.actionStatuses, [0x0123, 0x0120, 0x0120, 0x0000]);
    assert.ok(await waitForLog(server, /storage commitment refused.*Transaction UID \(0008,1195\) missing/));
  });

  it('logs a result it cannot deliver now, and keeps serving', async () => {
    const transactionUid = newUid();
    const outcome = await commit(server.dimsePort, 'GONE', [action(stored, { transactionUid })]);
    assert.deepEqual(outcome.actionStatuses, [0x0000]);
    assert.ok(await waitForLog(server, new RegExp(`storage commitment result not delivered.*${transactionUid.replace(/\./g, '\\.')}`)), 'a warning names the transaction');
    const again = await commit(server.dimsePort, 'MODALITY', [action(stored)], 2_000);
    assert.equal(again.reportsHere[0]?.eventTypeId, 1);
  });

  it('counts each outcome in /metrics', async () => {
    const res = await http(`${server.httpUrl}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    assert.equal(res.status, 200);
    const count = (outcome: string) => Number(new RegExp(`^pacs_storage_commitments_total\\{outcome="${outcome}",node="[^"]+"\\} (\\d+)$`, 'm').exec(res.body.toString())?.[1]);
    // Above: one result with failures; committed in full by the second, the third and the last test; four refusals; one retry scheduled.
    assert.deepEqual(
      ['failures-reported', 'committed', 'refused', 'retry-scheduled'].map(count),
      [1, 3, 4, 1],
    );
  });
});

describe('Storage Commitment results kept until delivered', () => {
  const RETRY_MS = 1000;
  let server: TestServer;
  let modalityPort: number;
  let listener: Server | undefined;
  let stored: Reference[];
  const start = (dataDir?: string) =>
    startTestServer({
      dataDir,
      env: { PACS_COMMITMENT_RETRY_DELAY_MS: String(RETRY_MS) },
      peers: [{ aeTitle: 'LATE', host: '127.0.0.1', port: modalityPort, services: ['echo', 'store'] }],
    });
  const escaped = (uid: string) => uid.replace(/\./g, '\\.');
  const pendingResults = async () => {
    const res = await http(`${server.httpUrl}/api/storage-commitments`, { headers: { authorization: `Bearer ${await server.token()}` } });
    assert.equal(res.status, 200);
    return res.json<{ transactionUid: string; callingAe: string; instances: number; attempts: number; lastError: string | null }[]>();
  };

  before(async () => {
    modalityPort = await freePort();
    server = await start();
    const study = generateStudy(mkdtempSync(join(tmpdir(), 'pacs-stgcmt-retry-')), { series: 1, instancesPerSeries: 2 });
    const sent = await storescu(server.dimsePort, study.files, { callingAe: 'LATE' });
    assert.deepEqual(sent.statuses, ['0x0000', '0x0000'], sent.stderr);
    stored = study.sopInstanceUids.map((sopInstanceUid) => ({ sopClassUid: CT, sopInstanceUid }));
  });
  after(async () => {
    listener?.close();
    await server?.stop();
  });

  it('sends the result again once the modality listens, after the first attempt failed', async () => {
    const transactionUid = newUid();
    const outcome = await commit(server.dimsePort, 'LATE', [action(stored, { transactionUid })]);
    assert.deepEqual(outcome.actionStatuses, [0x0000]);
    assert.ok(await waitForLog(server, new RegExp(`result not delivered; will try again.*${escaped(transactionUid)}`)), 'the failed attempt is logged');
    assert.equal(received.find((r) => r.attrs.TransactionUID === transactionUid), undefined);
    const pending = (await pendingResults()).find((p) => p.transactionUid === transactionUid);
    assert.ok(pending, 'an admin sees the pending result');
    assert.deepEqual([pending.callingAe, pending.instances], ['LATE', 2]);
    assert.ok(pending.attempts >= 1);
    assert.match(pending.lastError ?? '', /ECONNREFUSED/);
    listener = new Server(ModalityScp);
    listener.listen(modalityPort);
    const report = await waitFor(() => received.find((r) => r.attrs.TransactionUID === transactionUid), 10 * RETRY_MS);
    assert.ok(report, 'the result arrived on a later attempt');
    assert.equal(report.eventTypeId, 1);
    assert.equal(report.attrs.ReferencedSOPSequence.length, 2);
    let stillPending = true;
    for (let i = 0; i < 50 && stillPending; i++) {
      stillPending = (await pendingResults()).some((p) => p.transactionUid === transactionUid);
      if (stillPending) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(stillPending, false, 'gone once delivered');
    listener.close();
    listener = undefined;
  });

  it('keeps an undelivered result across a restart and delivers it afterwards', async () => {
    const transactionUid = newUid();
    const outcome = await commit(server.dimsePort, 'LATE', [action(stored, { transactionUid })]);
    assert.deepEqual(outcome.actionStatuses, [0x0000]);
    assert.ok(await waitForLog(server, new RegExp(`result not delivered; will try again.*${escaped(transactionUid)}`)));
    await server.stop();
    listener = new Server(ModalityScp);
    listener.listen(modalityPort);
    server = await start(server.dataDir);
    const report = await waitFor(() => received.find((r) => r.attrs.TransactionUID === transactionUid), 20 * RETRY_MS);
    assert.ok(report, 'the restarted server delivered the result');
    assert.equal(report.eventTypeId, 1);
    assert.ok(await waitForLog(server, new RegExp(`storage commitment result sent.*${escaped(transactionUid)}`)));
  });
});
