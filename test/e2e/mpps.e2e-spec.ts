// MPPS end to end with a DIMSE client (dcmjs-dimse Client, N-CREATE / N-SET, PS3.4 F): the
// procedure step moves IN PROGRESS → COMPLETED or DISCONTINUED and its worklist item follows;
// forbidden transitions get their failure statuses; the study becomes complete once the step
// is COMPLETED and every referenced instance is stored, in either order, and stays so across a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { storescu } from '../support/dcmtk';
import { finish, inProgress, sendMpps as send } from '../support/mpps';
import { generateStudy, newUid } from '../support/generator';
import { http } from '../support/http';
import { startTestServer, TestServer, waitForLog } from '../support/server';
import { findscuWorklist, mwlQueryFile, worklistBody } from '../support/worklist';

describe('MPPS: N-CREATE / N-SET, worklist status and study completeness', () => {
  let server: TestServer;
  let token: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-mpps-'));
  let n = 0;

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  async function schedule(): Promise<{ id: string; studyUid: string }> {
    const studyUid = newUid();
    const res = await http(`${server.httpUrl}/api/worklist`, {
      method: 'POST', token, headers: { 'content-type': 'application/json' },
      body: JSON.stringify(worklistBody({ accession: `M-${++n}`, studyUid })),
    });
    assert.equal(res.status, 201, res.body.toString());
    return { id: res.json().id, studyUid };
  }
  const item = async (id: string) => (await http(`${server.httpUrl}/api/worklist/${id}`, { token })).json();
  const completeness = async (studyUid: string) => (await http(`${server.httpUrl}/api/studies/${studyUid}/completeness`, { token })).json();
  function images(studyUid: string, count: number) {
    const study = generateStudy(join(dir, `s${++n}`), { series: 1, instancesPerSeries: count, studyUid, patientId: 'P1' });
    return { files: study.files, series: [{ seriesUid: study.seriesUids[0], sopUids: study.sopInstanceUids }] };
  }
  async function waitComplete(studyUid: string): Promise<any> {
    for (let i = 0; i < 100; i++) {
      const state = await completeness(studyUid);
      if (state.complete) return state;
      await sleep(50);
    }
    return completeness(studyUid);
  }

  it('IN PROGRESS then COMPLETED moves the worklist item; images stored after the final N-SET complete the study', async () => {
    const { id, studyUid } = await schedule();
    const uid = newUid();
    assert.deepEqual(await send(server.dimsePort, [{ create: uid, attrs: inProgress(studyUid, 'SPS1') }]), [0x0000]);
    const started = await item(id);
    assert.equal(started.status, 'IN PROGRESS');
    assert.equal(started.scheduledSteps[0].status, 'IN PROGRESS');

    const stored = images(studyUid, 3);
    assert.deepEqual(await send(server.dimsePort, [{ set: uid, attrs: finish('COMPLETED', stored.series) }]), [0x0000]);
    const completed = await item(id);
    assert.equal(completed.status, 'COMPLETED');
    assert.equal((await completeness(studyUid)).complete, false, 'no image stored yet');
    const mwl = await findscuWorklist(server.dimsePort, await mwlQueryFile([`(0008,0050) SH [${completed.accessionNumber}]`, '(0020,000d) UI []']));
    assert.equal(mwl.code, 0, mwl.stdout + mwl.stderr);
    assert.deepEqual(mwl.matches, [], 'a completed item is no longer offered over MWL');

    const list = (await http(`${server.httpUrl}/api/mpps?studyUid=${studyUid}`, { token })).json();
    assert.equal(list.total, 1);
    assert.equal(list.items[0].status, 'COMPLETED');
    assert.equal(list.items[0].worklistItemId, id);
    assert.deepEqual(list.items[0].performedSeries[0].sopInstanceUids, stored.series[0].sopUids);

    const first = await storescu(server.dimsePort, stored.files.slice(0, 2));
    assert.deepEqual(first.statuses, ['0x0000', '0x0000']);
    await sleep(200);
    assert.equal((await completeness(studyUid)).complete, false, 'one referenced image still missing');
    assert.deepEqual((await storescu(server.dimsePort, stored.files.slice(2))).statuses, ['0x0000']);
    const state = await waitComplete(studyUid);
    assert.equal(state.complete, true);
    assert.ok(state.completedAt);
    // the log line may reach the test's pipe after the HTTP answer that says complete
    assert.ok(await waitForLog(server, new RegExp(`"studyUid":"${studyUid.replace(/\./g, '\\.')}"[^\\n]*study complete`)), 'study complete is logged');

    // QIDO-RS shows and matches it as Study Status ID (0032,000A).
    const qido = async (query: string) => (await http(`${server.httpUrl}/dicomweb/studies?StudyInstanceUID=${studyUid}&${query}`, { token })).json();
    assert.deepEqual((await qido('includefield=0032000A'))[0]['0032000A'], { vr: 'CS', Value: ['COMPLETED'] });
    assert.equal((await qido('0032000A=COMPLETED')).length, 1);
  });

  it('completes the study at the final N-SET when the images arrived first, and keeps that state across a restart', async () => {
    const { studyUid } = await schedule();
    const stored = images(studyUid, 2);
    assert.deepEqual((await storescu(server.dimsePort, stored.files)).statuses, ['0x0000', '0x0000']);
    const uid = newUid();
    const statuses = await send(server.dimsePort, [
      { create: uid, attrs: inProgress(studyUid, 'SPS1') },
      { set: uid, attrs: finish('COMPLETED', stored.series) },
    ]);
    assert.deepEqual(statuses, [0x0000, 0x0000]);
    const state = await completeness(studyUid);
    assert.equal(state.complete, true);
    assert.equal(state.procedureSteps[0].imagesComplete, true);

    await server.stop();
    // Same data directory and admin password: the state must come back from PostgreSQL.
    server = await startTestServer({ dataDir: server.dataDir, env: { PACS_ADMIN_PASSWORD: server.adminPassword } });
    token = await server.token();
    const after = await completeness(studyUid);
    assert.equal(after.complete, true);
    assert.equal(after.completedAt, state.completedAt);
  });

  it('DISCONTINUED moves the worklist item to DISCONTINUED and does not complete the study', async () => {
    const { id, studyUid } = await schedule();
    const uid = newUid();
    const statuses = await send(server.dimsePort, [
      { create: uid, attrs: inProgress(studyUid, 'SPS1') },
      { set: uid, attrs: finish('DISCONTINUED', []) },
    ]);
    assert.deepEqual(statuses, [0x0000, 0x0000]);
    const discontinued = await item(id);
    assert.equal(discontinued.status, 'DISCONTINUED');
    assert.equal(discontinued.scheduledSteps[0].status, 'DISCONTINUED');
    assert.equal((await completeness(studyUid)).complete, false);
  });

  it('answers each forbidden transition and bad N-CREATE with its failure status (PS3.7 10.1.5/10.1.6, PS3.4 F.7.2.2)', async () => {
    const { id, studyUid } = await schedule();
    const done = newUid();
    const open = newUid();
    const statuses = await send(server.dimsePort, [
      { create: done, attrs: inProgress(studyUid, 'SPS1') },
      { create: done, attrs: inProgress(studyUid, 'SPS1') }, // same SOP Instance UID again
      { set: done, attrs: finish('COMPLETED', []) },
      { set: done, attrs: finish('DISCONTINUED', []) }, // after COMPLETED
      { set: newUid(), attrs: finish('COMPLETED', []) }, // unknown instance
      { create: newUid(), attrs: inProgress(studyUid, 'SPS1', (a) => delete a.PerformedProcedureStepID) },
      { create: newUid(), attrs: inProgress(studyUid, 'SPS1', (a) => (a.PerformedStationAETitle = '')) },
      { create: newUid(), attrs: inProgress(studyUid, 'SPS1', (a) => (a.PerformedProcedureStepStatus = 'COMPLETED')) },
      { create: open, attrs: inProgress(studyUid, '') }, // unscheduled: allowed
      { set: open, attrs: { PerformedProcedureStepStatus: 'COMPLETED' } }, // no end date/time
      { set: open, attrs: { PerformedProcedureStepStatus: 'SCHEDULED' } },
      { set: open, attrs: { Modality: 'MR' } }, // not settable after N-CREATE
    ]);
    assert.deepEqual(
      statuses.map((s) => `0x${s.toString(16).padStart(4, '0')}`),
      ['0x0000', '0x0111', '0x0000', '0xc310', '0x0112', '0x0120', '0x0121', '0x0106', '0x0000', '0x0121', '0x0106', '0x0106'],
    );
    assert.equal((await item(id)).status, 'COMPLETED', 'the refused N-SET after COMPLETED changed nothing');
    const open2 = (await http(`${server.httpUrl}/api/mpps/${open}`, { token })).json();
    assert.equal(open2.status, 'IN PROGRESS');
    assert.equal(open2.worklistItemId, id, 'linked by Study Instance UID');
  });

  it('GET /api/mpps refuses an unknown status filter (400) and a request without a token (401)', async () => {
    const res = await http(`${server.httpUrl}/api/mpps?status=SCHEDULED`, { token });
    assert.equal(res.status, 400);
    assert.equal((await http(`${server.httpUrl}/api/mpps`)).status, 401);
  });
});
