// Audit trail end to end, what becomes an event: DICOMweb, DIMSE (storescu, findscu, getscu,
// movescu, the worklist), rejected associations, logins and denials become PS3.15 A.5 events with
// the right actor, action, outcome and study.
// What auditors do with the events (paging, export, syslog, chain verification) is in
// audit-review.e2e-spec.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditedServer, AuditEvent, startAuditedServer } from '../support/audit-trail';
import { echoscu, findscu, getscu, movescu, storescu } from '../support/dcmtk';
import { buildInstance, newUid, writeInstance } from '../support/generator';
import { http, multipartRelated } from '../support/http';
import { TestServer } from '../support/server';
import { findscuWorklist, mwlQueryFile, worklistBody } from '../support/worklist';

describe('Audit trail: the events of DICOMweb, DIMSE, logins and denials', () => {
  let trail: AuditedServer;
  let server: TestServer;
  let admin: string;
  let radiologist: string;
  const dir = mkdtempSync(join(tmpdir(), 'pacs-audit-e2e-'));

  before(async () => {
    trail = await startAuditedServer();
    ({ server, admin, radiologist } = trail);
  });
  after(async () => {
    await trail?.stop();
  });

  const audit = (query?: string, token?: string) => trail.audit(query, token);
  const lastId = async () => {
    let page = await audit('?limit=1000');
    let items = page.items;
    while (page.nextCursor) {
      page = await audit(`?limit=1000&cursor=${page.nextCursor}`);
      items = page.items.length ? page.items : items;
    }
    return items[items.length - 1].id;
  };
  async function sqlQuery(text: string, params: unknown[]): Promise<Record<string, string>[]> {
    const db = await trail.database();
    try {
      return (await db.query(text, params)).rows;
    } finally {
      await db.end();
    }
  }
  /** Events after `id`, without the auditor's own reads (Audit Log Used). */
  const since = async (id: number) => (await audit(`?cursor=${id}&limit=1000`)).items.filter((e) => e.action !== '110101');

  it('records STOW-RS, QIDO-RS and WADO-RS as exactly Instances Transferred, Query and Instances Accessed with the study', async () => {
    const mark = await lastId();
    const instance = buildInstance({ patientId: 'AUD-WEB', studyUid: newUid() });
    const { body, contentType } = multipartRelated([instance.bytes]);
    const web = `${server.httpUrl}/dicomweb`;
    assert.equal((await http(`${web}/studies`, { method: 'POST', token: admin, body, headers: { 'content-type': contentType } })).status, 200);
    assert.equal((await http(`${web}/studies?PatientID=AUD-WEB`, { token: admin })).status, 200);
    assert.equal((await http(`${web}/studies/${instance.studyUid}`, { token: admin })).status, 200);
    const events = await since(mark);
    assert.deepEqual(
      events.map((e) => [e.action, e.actionName, e.actionCode, e.outcome, e.actor, e.actorType]),
      [
        ['110104', 'DICOM Instances Transferred', 'C', 0, 'admin', 'user'],
        ['110112', 'Query', 'E', 0, 'admin', 'user'],
        ['110103', 'DICOM Instances Accessed', 'R', 0, 'admin', 'user'],
      ],
    );
    assert.deepEqual(events[0].studyUids, [instance.studyUid]);
    assert.deepEqual(events[2].studyUids, [instance.studyUid]);
    assert.equal(events[2].sourceAddress, '127.0.0.1');
    const node = `${hostname()}:${new URL(server.httpUrl).port}`;
    assert.deepEqual(events.map((e) => e.source), [node, node, node], 'recorded by this node (PACS_NODE_ID, by default host:port)');
  });

  it('records a C-STORE from storescu with the calling AE title, patient ID and study', async () => {
    const studyUid = newUid();
    const file = join(dir, 'store.dcm');
    writeInstance(file, { patientId: 'AUD-DIMSE', studyUid });
    const res = await storescu(server.dimsePort, [file]);
    assert.deepEqual(res.statuses, ['0x0000'], res.stderr);
    const { items } = await audit(`?studyUid=${studyUid}`);
    assert.equal(items.length, 1);
    assert.equal(items[0].action, '110104');
    assert.equal(items[0].actor, 'TESTSCU');
    assert.equal(items[0].actorType, 'ae');
    assert.equal(items[0].patientId, 'AUD-DIMSE');
    const logins = await audit('?actor=TESTSCU&action=110114');
    assert.ok(logins.items.length >= 1, 'association accepted is audited as a login of the AE');
    // No extra commit per instance: the event was written by the very transaction (xmin) that indexed the instance.
    const [row] = await sqlQuery(
      `SELECT a.xmin::text AS event_tx, i.xmin::text AS instance_tx FROM audit_events a JOIN instances i ON i.sop_instance_uid = a.details->>'sopInstanceUid' WHERE a.id = $1`,
      [items[0].id],
    );
    assert.equal(row.event_tx, row.instance_tx);
  });

  it('records C-FIND as Query, C-GET as Instances Transferred and a move to an unknown destination as a failed transfer', async () => {
    const studyUid = newUid();
    const file = join(dir, 'qr.dcm');
    writeInstance(file, { patientId: 'AUD-QR', studyUid });
    assert.deepEqual((await storescu(server.dimsePort, [file])).statuses, ['0x0000']);
    const keys = ['0008,0052=STUDY', `0020,000D=${studyUid}`];
    await findscu(server.dimsePort, { keys });
    await getscu(server.dimsePort, mkdtempSync(join(tmpdir(), 'pacs-audit-get-')), { keys });
    await movescu(server.dimsePort, 'NOWHERE', { keys });
    const events = (await audit(`?studyUid=${studyUid}&actor=TESTSCU`)).items.filter((e) => e.action !== '110104' || e.actionCode !== 'C');
    const summary = events.map((e) => [e.action, e.actionCode, e.details.service, e.outcome]);
    assert.deepEqual(summary, [
      ['110112', 'E', 'find', 0],
      ['110104', 'R', 'get', 0],
      ['110104', 'R', 'move', 8],
    ]);
  });

  it('records a worklist item created by the RIS as a Procedure Record and the modality\'s worklist query as a Query', async () => {
    const created = await http(`${server.httpUrl}/api/worklist`, {
      method: 'POST',
      token: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(worklistBody({ accession: 'AUD-WL-1', station: 'AUDCT' })),
    });
    assert.equal(created.status, 201, created.body.toString());
    const record = (await audit('?actor=admin&action=110111')).items.at(-1);
    assert.equal(record?.actionCode, 'C');
    const query = await mwlQueryFile(['(0040,0100) SQ', '(fffe,e000) -', '(0040,0001) AE [AUDCT]', '(fffe,e00d) -', '(fffe,e0dd) -']);
    assert.equal((await findscuWorklist(server.dimsePort, query)).matches.length, 1);
    const worklistQuery = (await audit('?actor=TESTSCU&action=110112')).items.at(-1);
    assert.equal(worklistQuery?.details.service, 'worklist');
    assert.equal(worklistQuery?.outcome, 0);
  });

  it('records a rejected association (unknown calling AE) as a Security Alert naming the AE', async () => {
    const res = await echoscu(server.dimsePort, { callingAe: 'STRANGER' });
    assert.notEqual(res.code, 0);
    const deadline = Date.now() + 5_000;
    let items: AuditEvent[] = [];
    while (items.length === 0 && Date.now() < deadline) items = (await audit('?actor=STRANGER')).items;
    assert.deepEqual(items.map((e) => [e.action, e.actorType, e.outcome, e.details.eventType?.code]), [['110113', 'ae', 4, '110126']]);
  });

  it('records a 403 as a Security Alert and a failed login as User Authentication with a failure outcome', async () => {
    const mark = await lastId();
    assert.equal((await http(`${server.httpUrl}/api/audit`, { token: radiologist })).status, 403);
    const login = await http(`${server.httpUrl}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'radiologist1', password: 'wrong-password' }),
    });
    assert.equal(login.status, 401);
    const events = await since(mark);
    assert.deepEqual(events.map((e) => [e.action, e.actor, e.outcome]), [
      ['110113', 'radiologist1', 4],
      ['110114', 'radiologist1', 4],
    ]);
    assert.equal(events[0].details.status, 403);
    assert.equal(events[0].details.path, '/api/audit');
  });
});
