// A server whose audit trail specs read: a UDP syslog collector it forwards to, its embedded
// PostgreSQL on a known port (for specs that read or alter the audit_events table), an auditor
// and a radiologist beside the admin, and GET /api/audit as the auditor.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { http } from './http';
import { freePort } from './ports';
import { startTestServer, TestServer } from './server';

/** One event as /api/audit lists it (PS3.15 A.5 event, actor and objects). */
export interface AuditEvent {
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
  /** PACS_NODE_ID of the node that recorded the event. */
  source: string | null;
  hash: string;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditedServer {
  server: TestServer;
  admin: string;
  auditor: string;
  radiologist: string;
  pgPort: number;
  /** What the syslog collector received so far, one message per datagram. */
  datagrams: string[];
  /** GET /api/audit with `query` (from its '?'), as the auditor unless another token is given. */
  audit(query?: string, token?: string): Promise<AuditPage>;
  /** A connected client of its PostgreSQL, as the server's own user: the caller ends it. */
  database(): Promise<Client>;
  stop(): Promise<void>;
}

/** Password of the users `auditor1` and `radiologist1`. */
const USER_PASSWORD = 'auditor-password-1';

export async function startAuditedServer(): Promise<AuditedServer> {
  const datagrams: string[] = [];
  const syslog = createSocket('udp4');
  syslog.on('message', (msg) => datagrams.push(msg.toString('utf8')));
  await new Promise<void>((resolve) => syslog.bind(0, '127.0.0.1', resolve));
  let server: TestServer | undefined;
  const stop = async () => {
    await server?.stop();
    syslog.close();
  };
  try {
    const pgPort = await freePort();
    server = await startTestServer({
      env: { PACS_AUDIT_SYSLOG_URL: `udp://127.0.0.1:${syslog.address().port}`, PACS_EMBEDDED_PG_PORT: String(pgPort) },
    });
    const { admin, auditor, radiologist } = await addUsers(server);
    const { httpUrl } = server;
    async function audit(query = '', token = auditor): Promise<AuditPage> {
      const res = await http(`${httpUrl}/api/audit${query}`, { token });
      assert.equal(res.status, 200, res.body.toString());
      return res.json();
    }
    const { dataDir } = server;
    async function database(): Promise<Client> {
      const pgPassword = readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim();
      const db = new Client({ connectionString: `postgres://pacs:${pgPassword}@127.0.0.1:${pgPort}/pacs` });
      await db.connect();
      return db;
    }
    return { server, admin, auditor, radiologist, pgPort, datagrams, audit, database, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Creates `auditor1` and `radiologist1` as the admin; the three users' tokens. */
async function addUsers(server: TestServer): Promise<{ admin: string; auditor: string; radiologist: string }> {
  const admin = await server.token();
  for (const [username, roles] of [['auditor1', ['auditor']], ['radiologist1', ['radiologist']]] as const) {
    const res = await http(`${server.httpUrl}/api/users`, {
      method: 'POST',
      token: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: USER_PASSWORD, roles }),
    });
    assert.equal(res.status, 201, res.body.toString());
  }
  return { admin, auditor: await server.token('auditor1', USER_PASSWORD), radiologist: await server.token('radiologist1', USER_PASSWORD) };
}
