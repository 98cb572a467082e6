// Audit trail end to end: DICOMweb, DIMSE (storescu), logins and denials become PS3.15 A.5
// events with the right actor, action and study; auditors page, filter and export them;
// tampering with a row is named by /api/audit/verify; events reach a syslog collector (UDP).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { spawn } from 'node:child_process';
import { createSocket, Socket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { echoscu, findscu, getscu, movescu, storescu } from '../support/dcmtk';
import { buildInstance, newUid, writeInstance } from '../support/generator';
import { http, multipartRelated } from '../support/http';
import { freePort } from '../support/ports';
import { repoRoot, startTestServer, TestServer } from '../support/server';
import { findscuWorklist, mwlQueryFile, worklistBody } from '../support/worklist';

interface Item {
  id: number;
  actor: string;
  actorType: string;
  sourceAddress: string | null;
  action: string;
  actionName: string;
  actionCode: string;
  outcome: number;
  patientId: string | null;
  studyUids: string[];
  details: Record<string, any>;
  hash: string;
}

describe('Audit trail: events, auditors\' API, integrity and syslog', () => {
  let server: TestServer;
  let admin: string;
  let auditor: string;
  let radiologist: string;
  let pgPort: number;
  let syslog: Socket;
  const datagrams: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'pacs-audit-e2e-'));
  const password = 'auditor-password-1';

  before(async () => {
    syslog = createSocket('udp4');
    syslog.on('message', (msg) => datagrams.push(msg.toString('utf8')));
    await new Promise<void>((resolve) => syslog.bind(0, '127.0.0.1', resolve));
    pgPort = await freePort();
    server = await startTestServer({
      env: { PACS_AUDIT_SYSLOG_URL: `udp://127.0.0.1:${syslog.address().port}`, PACS_EMBEDDED_PG_PORT: String(pgPort) },
    });
    admin = await server.token();
    for (const [username, roles] of [['auditor1', ['auditor']], ['radiologist1', ['radiologist']]] as const) {
      const res = await http(`${server.httpUrl}/api/users`, {
        method: 'POST',
        token: admin,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password, roles }),
      });
      assert.equal(res.status, 201, res.body.toString());
    }
    auditor = await server.token('auditor1', password);
    radiologist = await server.token('radiologist1', password);
  });
  after(async () => {
    await server?.stop();
    syslog?.close();
  });

  async function audit(query = '', token = auditor): Promise<{ items: Item[]; nextCursor: string | null }> {
    const res = await http(`${server.httpUrl}/api/audit${query}`, { token });
    assert.equal(res.status, 200, res.body.toString());
    return res.json();
  }
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
    const pgPassword = readFileSync(join(server.dataDir, 'postgres-password'), 'utf8').trim();
    const db = new Client({ connectionString: `postgres://pacs:${pgPassword}@127.0.0.1:${pgPort}/pacs` });
    await db.connect();
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
    let items: Item[] = [];
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

  it('lets the auditor page through filtered events with cursors, and refuses the auditor images', async () => {
    const all = (await audit('?actor=admin&limit=1000')).items;
    assert.ok(all.length >= 4);
    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: Item[]; nextCursor: string | null } = await audit(`?actor=admin&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    }
    assert.deepEqual(seen, all.map((e) => e.id));
    assert.equal((await audit('?outcome=4&action=110113')).items.every((e) => e.outcome === 4 && e.action === '110113'), true);
    assert.equal((await http(`${server.httpUrl}/api/audit?outcome=5`, { token: auditor })).status, 400);
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token: auditor })).status, 403);
  });

  it('exports the filtered events as CSV and NDJSON that parse back to the same ids', async () => {
    const expected = (await audit('?actor=admin&limit=1000')).items.map((e) => e.id);
    const nd = await http(`${server.httpUrl}/api/audit/export?format=ndjson&actor=admin`, { token: auditor });
    assert.equal(nd.status, 200);
    assert.match(nd.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const rows = nd.body.toString().trim().split('\n').map((line) => JSON.parse(line) as Item);
    assert.deepEqual(rows.map((e) => e.id).slice(0, expected.length), expected);
    const csv = await http(`${server.httpUrl}/api/audit/export?actor=admin`, { token: auditor, headers: { accept: 'text/csv' } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const records = parseCsv(csv.body.toString());
    assert.deepEqual(records[0].slice(0, 3), ['id', 'time', 'actor']);
    const detailsAt = records[0].indexOf('details');
    assert.deepEqual(records.slice(1).map((r) => Number(r[0])).slice(0, expected.length), expected);
    assert.deepEqual(JSON.parse(records[1][detailsAt]), rows[0].details);
    assert.ok(records.slice(1).every((r) => r.length === records[0].length && r[2] === 'admin'));
  });

  it('forwards events to the syslog collector as RFC 5424 messages carrying the DICOM Audit Message', async () => {
    const deadline = Date.now() + 5_000;
    // The C-STORE's event: staged in the ingest commit, forwarded once the sealer chained it.
    const isStore = (d: string) => d.includes('"110104"') && d.includes('EventActionCode="C"') && d.includes('"TESTSCU"');
    while (!datagrams.some(isStore) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const message = datagrams.find(isStore);
    assert.ok(message, `no Instances Transferred (Create) message among ${datagrams.length} datagrams`);
    const match = /^<(\d+)>1 (\S+) (\S+) pacs (\d+) IHE\+RFC-3881 - \uFEFF(<\?xml .*)$/s.exec(message);
    assert.ok(match, message);
    assert.equal(match[1], '85'); // facility 10 (security/authorization), severity 5 (notice)
    assert.ok(!Number.isNaN(Date.parse(match[2])));
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['ActiveParticipant', 'ParticipantObjectIdentification', 'ParticipantObjectDetail'].includes(name) });
    const audit = parser.parse(match[5]).AuditMessage;
    assert.equal(audit.EventIdentification.EventID['csd-code'], '110104');
    assert.equal(audit.EventIdentification.EventActionCode, 'C');
    assert.deepEqual(
      audit.ActiveParticipant.map((p: { UserID: string; UserIsRequestor: string }) => [p.UserID, p.UserIsRequestor]),
      [['TESTSCU', 'true'], ['PACS', 'false']],
    );
    const objects = audit.ParticipantObjectIdentification as { ParticipantObjectTypeCodeRole: string; ParticipantObjectDetail?: { type: string; value: string }[] }[];
    assert.deepEqual(objects.map((o) => o.ParticipantObjectTypeCodeRole), ['1', '3'], 'the patient, then the study');
    const hash = objects[0].ParticipantObjectDetail!.find((d) => d.type === 'AuditChainHash')!;
    assert.match(Buffer.from(hash.value, 'base64').toString(), /^[0-9a-f]{64}$/);
  });

  it('records `pacs import` beside the running server as Import events in the same intact chain', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'pacs-audit-import-'));
    const studyUid = newUid();
    writeInstance(join(folder, 'one.dcm'), { patientId: 'AUD-CLI', studyUid });
    writeInstance(join(folder, 'two.dcm'), { patientId: 'AUD-CLI', studyUid });
    const main = join(repoRoot(), process.env.PACS_TEST_DIST ?? 'dist', 'apps/pacs-cli/src/main.js');
    const env = { PATH: process.env.PATH ?? '', PACS_DATA_DIR: server.dataDir, PACS_EMBEDDED_PG_PORT: String(pgPort) };
    // The CLI and the server append to one chain at once (two processes, one advisory lock).
    const [cli] = await Promise.all([
      new Promise<number | null>((resolve) => spawn(process.execPath, [main, 'import', folder, '--no-progress'], { env, stdio: 'ignore' }).on('close', resolve)),
      ...Array.from({ length: 20 }, () => http(`${server.httpUrl}/dicomweb/studies?PatientID=X`, { token: admin })),
    ]);
    assert.equal(cli, 0);
    const { items } = await audit('?patientId=AUD-CLI&action=110107');
    assert.deepEqual(items.map((e) => [e.actor, e.actorType, e.studyUids[0]]), [['cli', 'system', studyUid], ['cli', 'system', studyUid]]);
    assert.deepEqual((await http(`${server.httpUrl}/api/audit/verify`, { token: auditor })).json(), { intact: true });
  });

  it('verifies the chain intact, then names the event altered in the database', async () => {
    assert.deepEqual((await http(`${server.httpUrl}/api/audit/verify`, { token: auditor })).json(), { intact: true });
    const pgPassword = readFileSync(join(server.dataDir, 'postgres-password'), 'utf8').trim();
    const db = new Client({ connectionString: `postgres://pacs:${pgPassword}@127.0.0.1:${pgPort}/pacs` });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT id FROM audit_events WHERE actor = 'TESTSCU' AND action = '110104' ORDER BY id LIMIT 1`);
      const victim = Number(rows[0].id);
      await db.query(`UPDATE audit_events SET patient_id = 'SOMEONE-ELSE' WHERE id = $1`, [victim]);
      assert.deepEqual((await http(`${server.httpUrl}/api/audit/verify`, { token: auditor })).json(), { intact: false, brokenAt: victim });
    } finally {
      await db.end();
    }
    assert.equal((await http(`${server.httpUrl}/api/audit/verify`, { token: radiologist })).status, 403);
  });
});

/** RFC 4180: quoted fields with doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') record.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      (field = ''), (record = []), i++;
    } else field += c;
  }
  return records;
}
