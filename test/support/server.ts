// Starts the REAL built server (dist/apps/pacs-server/src/main.js) as a child process on free
// loopback ports, with its own data directory and embedded PostgreSQL, and waits until it is
// ready: the end-to-end tests drive it from outside, exactly as a modality or viewer would.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackChild, trackTempDir } from './child-registry';
import { freePort } from './ports';
import { storageEnv } from './s3';

export interface TestServer {
  httpUrl: string; dimsePort: number; aeTitle: string; dataDir: string; adminPassword: string; pid: number;
  token(username?: string, password?: string): Promise<string>;   // POST /api/auth/token {username,password} → access_token
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null }>;  // SIGTERM by default, waits for exit (max 20 s, then SIGKILL and throw)
  logs(): string;
}

export interface TestPeer {
  aeTitle: string;
  host: string;
  port: number;
  services: string[];
  moveAssociations?: number;
  tls?: boolean;
  deidentify?: { profile: 'basic'; options?: string[] };
  deidentifyOnReceive?: { profile: 'basic'; options?: string[] };
}

const DEFAULT_PEERS: TestPeer[] = [
  { aeTitle: 'TESTSCU', host: '127.0.0.1', port: 11113, services: ['echo', 'store', 'find', 'move', 'get', 'worklist', 'mpps'] },
];
const READY_LINE = 'PACS ready';
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const MAX_LOG_CHARS = 16 * 1024 * 1024;

/** The folder holding package.json, above this file (works from src and from any dist dir). */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

function serverMain(root: string): string {
  const dist = resolve(root, process.env.PACS_TEST_DIST ?? 'dist');
  const main = join(dist, 'apps', 'pacs-server', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
  return main;
}

/** Distinct free ports (the kernel may hand the same one out twice in a row after close). */
async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Inherited PACS_* settings and DATABASE_URL would point the test server at someone else's setup. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('PACS_') || key === 'DATABASE_URL') delete env[key];
  return env;
}

class LogBuffer {
  private text = '';
  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > MAX_LOG_CHARS) this.text = this.text.slice(-MAX_LOG_CHARS / 2);
  }
  toString(): string {
    return this.text;
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
}

/** /health answers 2xx, or (when a test starts the server degraded on purpose) answers at all. */
async function healthy(httpUrl: string, degraded: boolean): Promise<boolean> {
  try {
    const res = await fetch(`${httpUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok || (degraded && res.status === 503);
  } catch {
    return false;
  }
}

/** Resolves once the ready line was printed and /health answers 2xx; rejects if the child exits. */
async function waitReady(child: ChildProcess, stdout: () => string, httpUrl: string, degraded: boolean): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exitOf(child).then((e) => (exited = e));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`server exited during start-up (code ${exited.code}, signal ${exited.signal})`);
    if (stdout().includes(READY_LINE) && (await healthy(httpUrl, degraded))) return;
    await sleep(100);
  }
  throw new Error(`server not ready within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<{ code: number | null }> {
  const exit = exitOf(child);
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  // The deadline is cancelled once the child exits: a pending timer would keep the test process
  // alive for the whole STOP_TIMEOUT_MS after its last test.
  const deadline = new AbortController();
  const outcome = await Promise.race([exit, sleep(STOP_TIMEOUT_MS, undefined, { signal: deadline.signal }).catch(() => undefined)]);
  deadline.abort();
  if (outcome) return { code: outcome.code };
  child.kill('SIGKILL');
  await exit;
  throw new Error(`server ${child.pid} did not exit within ${STOP_TIMEOUT_MS / 1000} s of ${signal}; killed`);
}

async function fetchToken(httpUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`POST /api/auth/token as ${username}: ${res.status} ${body}`);
  const token = (JSON.parse(body) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') throw new Error(`POST /api/auth/token: no access_token in ${body}`);
  return token;
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pacs-e2e-'));
  // mkdtemp makes it 0700; as root, embedded PostgreSQL runs initdb as its own user, which
  // must be able to reach <dataDir>/postgres.
  chmodSync(dir, 0o755);
  trackTempDir(dir);
  return dir;
}

/**
 * Starts the built server with a fresh data directory (unless one is given, e.g. to restart
 * on the same data), free ports, a random admin password and JWT secret. Throws with the
 * server's output if it exits or is not ready within 60 s.
 */
export async function startTestServer(
  /** `degraded`: the test makes /health report a part down on purpose (503 counts as started). */
  opts: { env?: Record<string, string>; dataDir?: string; peers?: TestPeer[]; degraded?: boolean } = {},
): Promise<TestServer> {
  const root = repoRoot();
  const main = serverMain(root);
  const [httpPort, dimsePort, pgPort] = await distinctPorts(3);
  const dataDir = opts.dataDir ?? newDataDir();
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PACS_DATA_DIR: dataDir,
    PACS_HTTP_PORT: String(httpPort),
    PACS_HTTP_HOST: '127.0.0.1',
    PACS_DIMSE_PORT: String(dimsePort),
    PACS_EMBEDDED_PG_PORT: String(pgPort),
    PACS_ADMIN_PASSWORD: randomBytes(12).toString('base64url'),
    PACS_JWT_SECRET: randomBytes(32).toString('base64url'),
    PACS_AE_TITLE: 'PACS',
    PACS_PEERS: JSON.stringify(opts.peers ?? DEFAULT_PEERS),
    PACS_LOG_LEVEL: 'info',
    TCP_NODELAY: '1',
    ...(await storageEnv(dataDir)),
    // The workers pass (run-tests.mjs --workers): every server as PACS_WORKERS workers.
    ...(process.env.PACS_TEST_WORKERS ? { PACS_WORKERS: process.env.PACS_TEST_WORKERS } : {}),
    ...opts.env,
  };
  const child = spawn(process.execPath, ['--enable-source-maps', main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const all = new LogBuffer();
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    all.append(chunk);
    if (!stdout.includes(READY_LINE)) stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => all.append(chunk));
  // HTTPS when the test gives the server a certificate (test/support/tls.ts).
  const httpUrl = `${env.PACS_HTTP_TLS_CERT ? 'https' : 'http'}://127.0.0.1:${env.PACS_HTTP_PORT}`;
  try {
    await waitReady(child, () => stdout, httpUrl, opts.degraded ?? false);
  } catch (err) {
    await stopChild(child, 'SIGKILL').catch(() => undefined);
    process.stderr.write(`---- pacs-server output ----\n${all}\n----\n`);
    throw new Error(`${(err as Error).message}\n${all}`);
  }
  const adminPassword = env.PACS_ADMIN_PASSWORD ?? '';
  return {
    httpUrl,
    dimsePort: Number(env.PACS_DIMSE_PORT),
    aeTitle: env.PACS_AE_TITLE ?? 'PACS',
    dataDir,
    adminPassword,
    pid: child.pid ?? -1,
    token: (username = 'admin', password = adminPassword) => fetchToken(httpUrl, username, password),
    stop: (signal = 'SIGTERM') => stopChild(child, signal),
    logs: () => all.toString(),
  };
}

/** Waits up to 2 s for a log line matching `pattern` (log lines can trail what caused them); true when it came. */
export async function waitForLog(server: TestServer, pattern: RegExp): Promise<boolean> {
  for (let i = 0; i < 100 && !pattern.test(server.logs()); i++) await sleep(20);
  return pattern.test(server.logs());
}
