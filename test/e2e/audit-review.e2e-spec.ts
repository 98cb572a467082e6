// Audit trail end to end, what auditors do with the events: page and filter them with cursors,
// export them as CSV and NDJSON, receive them on a syslog collector (RFC 5424 over UDP), and verify
// the hash chain, which names a row tampered with in the database; `pacs import` appends to the
// same chain while the server runs. The auditor may read the trail but not the images.
// Which actions become which events is in audit-events.e2e-spec.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser } from 'fast-xml-parser';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditedServer, AuditEvent, startAuditedServer } from '../support/audit-trail';
import { storescu } from '../support/dcmtk';
import { newUid, writeInstance } from '../support/generator';
import { http } from '../support/http';
import { repoRoot, TestServer } from '../support/server';

describe('Audit trail: the auditors\' API, export, syslog and integrity', () => {
  let trail: AuditedServer;
  let server: TestServer;
  let admin: string;
  let auditor: string;
  let radiologist: string;
  let pgPort: number;
  let datagrams: string[];
  const dir = mkdtempSync(join(tmpdir(), 'pacs-audit-review-'));

  before(async () => {
    trail = await startAuditedServer();
    ({ server, admin, auditor, radiologist, pgPort, datagrams } = trail);
    await recordEvents();
  });
  after(async () => {
    await trail?.stop();
  });

  const audit = (query?: string, token?: string) => trail.audit(query, token);

  /** Events to review: an instance a modality stores (storescu as TESTSCU) and the admin's queries. */
  async function recordEvents(): Promise<void> {
    const file = join(dir, 'store.dcm');
    writeInstance(file, { patientId: 'AUD-REVIEW' });
    assert.deepEqual((await storescu(server.dimsePort, [file])).statuses, ['0x0000']);
    for (let i = 0; i < 4; i++) {
      assert.equal((await http(`${server.httpUrl}/dicomweb/studies?PatientID=AUD-REVIEW`, { token: admin })).status, 200);
    }
  }

  it('lets the auditor page through filtered events with cursors, and refuses the auditor images', async () => {
    const all = (await audit('?actor=admin&limit=1000')).items;
    assert.ok(all.length >= 4);
    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: AuditEvent[]; nextCursor: string | null } = await audit(`?actor=admin&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
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
    const rows = nd.body.toString().trim().split('\n').map((line) => JSON.parse(line) as AuditEvent);
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
    const db = await trail.database();
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
