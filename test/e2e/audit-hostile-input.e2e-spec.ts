// Text PostgreSQL cannot store (U+0000) arriving from the network: a peer that puts NUL bytes in
// the AE titles of its A-ASSOCIATE-RQs, or in a login user name, is refused and audited in a
// visible escaped form, and its events never fail anyone else's batched with them (GOTCHAS:
// text and jsonb cannot hold U+0000; one bad row fails a whole multi-row insert).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { DcmtkResult, echoscu, runDcmtk, storescu } from '../support/dcmtk';
import { writeInstance } from '../support/generator';
import { http } from '../support/http';
import { freePort } from '../support/ports';
import { associateRq, rawConnect } from '../support/raw-pdu';
import { startTestServer, TestServer } from '../support/server';

const ATTACK_MS = 6_000;
const ECHOES_PER_ASSOCIATION = 10;
const NUL_CALLING_AE = 'NUL\0PEER';
const NUL_CALLED_AE = 'PA\0CS';
const NUL_USERNAME = 'ad\0min';

interface Item {
  id: number;
  actor: string;
  action: string;
  outcome: number;
  details: Record<string, any>;
}

/** One A-ASSOCIATE-RQ with NUL in both AE titles; true when it was answered with an A-ASSOCIATE-RJ. */
async function nulAssociation(port: number): Promise<boolean> {
  const peer = await rawConnect(port);
  try {
    peer.socket.write(associateRq(NUL_CALLING_AE, NUL_CALLED_AE));
    return (await peer.received(10))[0] === 0x03;
  } finally {
    peer.socket.destroy();
  }
}

async function login(url: string, username: string, password: string): Promise<number> {
  const res = await http(`${url}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return res.status;
}

/** Runs `step` again and again until `until`, collecting what each run returns. */
async function repeatUntil<T>(until: number, step: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  while (Date.now() < until) results.push(await step());
  return results;
}

/** What echoscu -v says of each C-ECHO response: 'Success', or e.g. 'Unknown Status: 0x110'. */
function echoStatuses(res: DcmtkResult): string[] {
  return [...(res.stdout + res.stderr).matchAll(/Received Echo Response \(([^)\r\n]+)\)/g)].map((m) => m[1]);
}

describe('Audit trail under NUL bytes from the network', () => {
  let server: TestServer;
  let admin: string;
  let auditor: string;
  let radiologist: string;
  let pgPort: number;
  const password = 'user-password-1';

  before(async () => {
    pgPort = await freePort();
    server = await startTestServer({
      env: { PACS_EMBEDDED_PG_PORT: String(pgPort) },
      peers: [
        { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get'] },
        { aeTitle: 'FINDONLY', host: '127.0.0.1', port: 11113, services: ['find'] },
      ],
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
  });

  async function sql(text: string): Promise<void> {
    const pgPassword = readFileSync(join(server.dataDir, 'postgres-password'), 'utf8').trim();
    const db = new Client({ connectionString: `postgres://pacs:${pgPassword}@127.0.0.1:${pgPort}/pacs` });
    await db.connect();
    try {
      await db.query(text);
    } finally {
      await db.end();
    }
  }

  /** Every event of `action`, all pages. */
  async function events(action: string): Promise<Item[]> {
    const items: Item[] = [];
    let cursor = '';
    for (;;) {
      const res = await http(`${server.httpUrl}/api/audit?action=${action}&limit=1000${cursor}`, { token: auditor });
      assert.equal(res.status, 200, res.body.toString());
      const page = res.json<{ items: Item[]; nextCursor: string | null }>();
      items.push(...page.items);
      if (!page.nextCursor) return items;
      cursor = `&cursor=${page.nextCursor}`;
    }
  }

  it('an unauthenticated peer looping NUL-bearing A-ASSOCIATE-RQs fails no authorized C-ECHO and no admin login, and each rejection is audited', async (t) => {
    const until = Date.now() + ATTACK_MS;
    const [attackA, attackB, nulLogins, echoRuns, adminLogins] = await Promise.all([
      repeatUntil(until, () => nulAssociation(server.dimsePort)),
      repeatUntil(until, () => nulAssociation(server.dimsePort)),
      repeatUntil(until, () => login(server.httpUrl, NUL_USERNAME, 'whatever-password')),
      repeatUntil(until, () => runDcmtk('echoscu', ['-v', '--repeat', String(ECHOES_PER_ASSOCIATION), '-aet', 'TESTSCU', '-aec', server.aeTitle, '127.0.0.1', String(server.dimsePort)])),
      repeatUntil(until, () => login(server.httpUrl, 'admin', server.adminPassword)),
    ]);

    const rejected = [...attackA, ...attackB];
    t.diagnostic(`${rejected.length} NUL associations, ${nulLogins.length} NUL logins, ${echoRuns.length * ECHOES_PER_ASSOCIATION} C-ECHOs, ${adminLogins.length} admin logins`);
    assert.ok(rejected.length > 100, `only ${rejected.length} hostile associations were sent`);
    assert.ok(rejected.every(Boolean), 'every NUL-bearing A-ASSOCIATE-RQ is answered with an A-ASSOCIATE-RJ');
    const failedRuns = echoRuns.filter((r) => r.code !== 0 || echoStatuses(r).filter((s) => s === 'Success').length !== ECHOES_PER_ASSOCIATION);
    assert.deepEqual(failedRuns.map((r) => r.stderr + r.stdout).slice(0, 1), [], `${failedRuns.length} of ${echoRuns.length} echoscu runs had a failed C-ECHO`);
    assert.ok(adminLogins.length >= 3, `only ${adminLogins.length} admin logins`);
    assert.deepEqual(adminLogins.filter((s) => s !== 200), [], `admin logins: ${adminLogins.length}`);
    assert.deepEqual([...new Set(nulLogins)], [400], 'a user name holding NUL is a bad request');

    // Rejected associations are audited without holding up the A-ASSOCIATE-RJ: give the trail a moment.
    let alerts: Item[] = [];
    const deadline = Date.now() + 15_000;
    do {
      alerts = (await events('110113')).filter((e) => e.details.eventType?.code === '110126');
      if (alerts.length >= rejected.length) break;
      await sleep(200);
    } while (Date.now() < deadline);
    assert.equal(alerts.length, rejected.length, 'one Security Alert (Node Authentication) per rejected association');
    assert.ok(alerts.every((e) => e.actor === 'NUL\\u0000PEER' && e.details.calledAe === 'PA\\u0000CS'), 'the AE titles as received, NUL shown as \\u0000');

    const userAuth = await events('110114');
    const nulAttempts = userAuth.filter((e) => e.actor === 'ad\\u0000min');
    assert.equal(nulAttempts.length, nulLogins.length, 'every refused NUL login is audited');
    assert.ok(nulAttempts.every((e) => e.outcome === 4));
    assert.equal(userAuth.filter((e) => e.actor === 'admin' && e.outcome === 0).length, adminLogins.length + 1, 'every admin login is audited');

    const verify = await http(`${server.httpUrl}/api/audit/verify`, { token: auditor });
    assert.equal(verify.json().intact, true, verify.body.toString());
  });

  it('when the audit trail cannot be written, a refusal stays a refusal and no success goes out unaudited', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pacs-audit-down-')), 'refused.dcm');
    writeInstance(file, { patientId: 'AUDIT-DOWN' });
    await sql(`CREATE FUNCTION test_audit_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit trail unavailable (test)'; END $$`);
    await sql(`CREATE TRIGGER test_audit_down BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_audit_down()`);
    try {
      assert.equal(await login(server.httpUrl, 'admin', 'wrong-password'), 401);
      assert.equal(await login(server.httpUrl, NUL_USERNAME, 'whatever-password'), 400);
      assert.equal((await http(`${server.httpUrl}/api/audit`)).status, 401);
      assert.equal((await http(`${server.httpUrl}/api/audit`, { token: radiologist })).status, 403);
      assert.deepEqual(echoStatuses(await echoscu(server.dimsePort, { callingAe: 'FINDONLY' })), ['Unknown Status: 0x124'], 'C-ECHO refused: Not Authorized');
      assert.deepEqual((await storescu(server.dimsePort, [file], { callingAe: 'FINDONLY' })).statuses, ['0x0124'], 'C-STORE refused: Not Authorized');

      assert.equal(await login(server.httpUrl, 'admin', server.adminPassword), 500, 'no token without its audit event');
      const query = await http(`${server.httpUrl}/dicomweb/studies`, { token: admin });
      assert.equal(query.status, 500);
      assert.equal(query.json().error, 'audit-unavailable');
      assert.deepEqual(echoStatuses(await echoscu(server.dimsePort)), ['Unknown Status: 0x110'], 'no unaudited Success');
    } finally {
      await sql('DROP TRIGGER test_audit_down ON audit_events');
    }
    assert.deepEqual(echoStatuses(await echoscu(server.dimsePort)), ['Success']);
    assert.equal(await login(server.httpUrl, 'admin', server.adminPassword), 200);
  });
});
