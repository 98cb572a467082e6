// Unscheduled and mismatched procedure steps (IHE Scheduled Workflow): a modality reports an exam
// the PACS never scheduled (it queried the RIS's worklist, or none). The PACS accepts every valid
// N-CREATE (PS3.4 F.7.2.1), links it to a worklist item when one matches (Scheduled Procedure Step
// ID + Accession Number first, then Study Instance UID), lists the unlinked ones for the admin
// (GET /api/mpps?linked=false), and completes the study from the step's own Performed Series.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { storescu } from '../support/dcmtk';
import { generateStudy, newUid } from '../support/generator';
import { http } from '../support/http';
import { finish, inProgress, sendMpps } from '../support/mpps';
import { startTestServer, TestServer } from '../support/server';
import { worklistBody } from '../support/worklist';

describe('MPPS of exams the PACS did not schedule', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-mpps-unscheduled-'));
  let n = 0;

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  async function schedule(accession: string, studyUid = newUid()): Promise<string> {
    const res = await http(`${server.httpUrl}/api/worklist`, {
      method: 'POST', token, headers: { 'content-type': 'application/json' },
      body: JSON.stringify(worklistBody({ accession, studyUid, stepId: 'SPS1' })),
    });
    assert.equal(res.status, 201, res.body.toString());
    return res.json().id;
  }
  const item = async (id: string) => (await http(`${server.httpUrl}/api/worklist/${id}`, { token })).json();
  const step = async (uid: string) => (await http(`${server.httpUrl}/api/mpps/${uid}`, { token })).json();
  const listed = async (linked: 'true' | 'false') =>
    ((await http(`${server.httpUrl}/api/mpps?linked=${linked}&limit=500`, { token })).json().items as { sopInstanceUid: string }[]).map((s) => s.sopInstanceUid);
  async function waitComplete(studyUid: string): Promise<{ complete: boolean }> {
    const get = async () => (await http(`${server.httpUrl}/api/studies/${studyUid}/completeness`, { token })).json();
    for (let i = 0; i < 100; i++) {
      const state = await get();
      if (state.complete) return state;
      await sleep(50);
    }
    return get();
  }

  it('accepts an exam the RIS scheduled elsewhere, lists it as unlinked, completes it and the study once its images are stored', async () => {
    const studyUid = newUid();
    const uid = newUid();
    const created = await sendMpps(server.dimsePort, [{ create: uid, attrs: inProgress(studyUid, 'RIS-SPS-9', undefined, 'RIS-ACC-77') }]);
    assert.deepEqual(created, [0x0000], 'a valid N-CREATE matching no worklist item is accepted');
    const unlinked = await step(uid);
    assert.equal(unlinked.worklistItemId, null);
    assert.equal(unlinked.accessionNumber, 'RIS-ACC-77');
    assert.equal(unlinked.scheduledProcedureStepId, 'RIS-SPS-9');
    assert.ok((await listed('false')).includes(uid), 'listed with linked=false');
    assert.ok(!(await listed('true')).includes(uid), 'not listed with linked=true');

    const study = generateStudy(join(dir, `s${++n}`), { series: 1, instancesPerSeries: 2, studyUid, patientId: 'P1' });
    const series = [{ seriesUid: study.seriesUids[0], sopUids: study.sopInstanceUids }];
    assert.deepEqual(await sendMpps(server.dimsePort, [{ set: uid, attrs: finish('COMPLETED', series) }]), [0x0000]);
    assert.equal((await step(uid)).status, 'COMPLETED');
    assert.deepEqual((await storescu(server.dimsePort, study.files)).statuses, ['0x0000', '0x0000']);
    assert.equal((await waitComplete(studyUid)).complete, true, 'completeness works from the step its own Performed Series Sequence');
  });

  it('links a step whose study UID the modality made up to the worklist item of its Scheduled Procedure Step ID and accession', async () => {
    const id = await schedule('ACC-SPS-1');
    const uid = newUid();
    assert.deepEqual(await sendMpps(server.dimsePort, [{ create: uid, attrs: inProgress(newUid(), 'SPS1', undefined, 'ACC-SPS-1') }]), [0x0000]);
    assert.equal((await step(uid)).worklistItemId, id);
    const started = await item(id);
    assert.equal(started.status, 'IN PROGRESS');
    assert.equal(started.scheduledSteps[0].status, 'IN PROGRESS');
    assert.ok((await listed('true')).includes(uid));
    assert.ok(!(await listed('false')).includes(uid));
  });

  it('links a step naming a Scheduled Procedure Step ID the worklist does not know to the item of its study', async () => {
    const studyUid = newUid();
    const id = await schedule('ACC-STUDY-1', studyUid);
    const uid = newUid();
    const statuses = await sendMpps(server.dimsePort, [
      { create: uid, attrs: inProgress(studyUid, 'MODALITY-OWN-ID', undefined, 'OTHER-ACC') },
      { set: uid, attrs: finish('COMPLETED', []) },
    ]);
    assert.deepEqual(statuses, [0x0000, 0x0000]);
    assert.equal((await step(uid)).worklistItemId, id);
    assert.equal((await item(id)).status, 'COMPLETED', 'the item follows the step it was linked to');
  });

  it('links a step at its N-SET when the worklist item reached the PACS after the N-CREATE', async () => {
    const studyUid = newUid();
    const uid = newUid();
    assert.deepEqual(await sendMpps(server.dimsePort, [{ create: uid, attrs: inProgress(studyUid, 'SPS1', undefined, 'ACC-LATE-1') }]), [0x0000]);
    assert.equal((await step(uid)).worklistItemId, null);
    const id = await schedule('ACC-LATE-1', studyUid);
    assert.deepEqual(await sendMpps(server.dimsePort, [{ set: uid, attrs: finish('COMPLETED', []) }]), [0x0000]);
    assert.equal((await step(uid)).worklistItemId, id);
    assert.equal((await item(id)).status, 'COMPLETED');
  });

  it('accepts the exam of a cancelled order but leaves it unlinked for the admin, and the order stays cancelled', async () => {
    const studyUid = newUid();
    const id = await schedule('ACC-CANCEL-1', studyUid);
    assert.equal((await http(`${server.httpUrl}/api/worklist/${id}`, { method: 'DELETE', token })).status, 200);
    const uid = newUid();
    assert.deepEqual(await sendMpps(server.dimsePort, [{ create: uid, attrs: inProgress(studyUid, 'SPS1', undefined, 'ACC-CANCEL-1') }]), [0x0000]);
    assert.equal((await step(uid)).worklistItemId, null);
    assert.ok((await listed('false')).includes(uid));
    assert.equal((await item(id)).status, 'CANCELLED');
  });

  it('still refuses a genuinely invalid N-CREATE: no Study Instance UID is 0x0121, a malformed one 0x0106', async () => {
    const statuses = await sendMpps(server.dimsePort, [
      { create: newUid(), attrs: inProgress('', 'SPS1') },
      { create: newUid(), attrs: inProgress('1.02.3', 'SPS1') },
    ]);
    assert.deepEqual(statuses, [0x0121, 0x0106]);
  });

  it('GET /api/mpps?linked= takes true or false only (400 otherwise), needs a token (401), and is in the OpenAPI document', async () => {
    const bad = await http(`${server.httpUrl}/api/mpps?linked=maybe`, { token });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().message, 'linked must be true or false');
    assert.equal((await http(`${server.httpUrl}/api/mpps?linked=false`)).status, 401);
    const doc = (await http(`${server.httpUrl}/api/docs-json`)).json();
    const linked = doc.paths['/api/mpps'].get.parameters.find((p: { name: string }) => p.name === 'linked');
    assert.deepEqual({ in: linked.in, required: linked.required, type: linked.schema.type }, { in: 'query', required: false, type: 'boolean' });
  });
});
