import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BenchServer, ServerProcess } from './server-process';
import { freePorts, http, waitFor } from './net-util';

/** Our server, started from the dist directory the bench itself was compiled into. */
export interface PacsLocation {
  /** The built server entry point. */
  main: string;
  /** Repository root: the working directory, where config/default.yaml is found. */
  root: string;
}

export const BENCH_AE = 'BENCH';
/** The C-MOVE destination that takes concurrent associations (a storescp --fork). */
export const CONCURRENT_DESTINATION_AE = 'BENCHPAR';
/** Associations our C-MOVE opens to it: more than 2 gained nothing on this 2-core machine. */
export const CONCURRENT_MOVE_ASSOCIATIONS = 2;

/** Ports of the bench's two C-MOVE destinations (storescp; `concurrent` runs with --fork). */
export interface MoveDestinationPorts {
  serial: number;
  concurrent?: number;
}
const PACS_AE = 'PACS';
/** QIDO-RS computed attribute NumberOfStudyRelatedInstances (PS3.18 10.6.3.3.1). */
const STUDY_INSTANCES_TAG = '00201208';

/** dist/test/bench/run.js → dist/apps/…: `npm run bench` uses dist/, a build into dist-bench/ uses that. */
export function locatePacs(benchDir: string = __dirname): PacsLocation {
  const dist = path.resolve(benchDir, '..', '..');
  return { main: path.join(dist, 'apps', 'pacs-server', 'src', 'main.js'), root: path.resolve(dist, '..') };
}

/** Keys this bench's admin passwords; new for every bench process. */
const ADMIN_PASSWORD_KEY = randomBytes(32);

/**
 * The admin's password on one store: the server creates the admin on its first start only, so a
 * restart on the same store (the scale-out phase's QIDO runs) must log in with the same one.
 */
function adminPasswordFor(dataDir: string): string {
  return createHmac('sha256', ADMIN_PASSWORD_KEY).update(path.resolve(dataDir)).digest('hex').slice(0, 24);
}

function pacsEnv(dataDir: string, ports: number[], adminPassword: string, destinations: MoveDestinationPorts, extra: Record<string, string>): NodeJS.ProcessEnv {
  const [httpPort, dimsePort, pgPort] = ports;
  return {
    ...process.env,
    PACS_DATA_DIR: dataDir,
    PACS_HTTP_HOST: '127.0.0.1',
    PACS_HTTP_PORT: String(httpPort),
    PACS_DIMSE_PORT: String(dimsePort),
    PACS_EMBEDDED_PG_PORT: String(pgPort),
    PACS_AE_TITLE: PACS_AE,
    PACS_ADMIN_PASSWORD: adminPassword,
    PACS_JWT_SECRET: randomBytes(24).toString('hex'),
    PACS_DIMSE_ALLOW_UNKNOWN: 'true',
    // The sender is also a known peer, so the normal AE policy path is the one measured.
    PACS_PEERS: JSON.stringify([
      { aeTitle: BENCH_AE, host: '127.0.0.1', port: destinations.serial, services: ['echo', 'store', 'find', 'move', 'get'] },
      ...(destinations.concurrent
        ? [{ aeTitle: CONCURRENT_DESTINATION_AE, host: '127.0.0.1', port: destinations.concurrent, services: ['store'], moveAssociations: CONCURRENT_MOVE_ASSOCIATIONS }]
        : []),
    ]),
    PACS_LOG_LEVEL: process.env.PACS_LOG_LEVEL ?? 'warn',
    TCP_NODELAY: '1',
    ...extra,
  };
}

async function tokenFor(base: string, adminPassword: string): Promise<string | undefined> {
  const login = await http(`${base}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: adminPassword }),
  });
  if (login.status !== 200 && login.status !== 201) return undefined;
  const token = (JSON.parse(login.body) as { access_token?: string }).access_token;
  return token;
}

/**
 * Sums NumberOfStudyRelatedInstances over every study QIDO-RS returns; undefined when the
 * token or QIDO route is not there (the caller then falls back to storescu statuses).
 */
async function countViaQido(base: string, adminPassword: string): Promise<number | undefined> {
  const token = await tokenFor(base, adminPassword);
  if (!token) return undefined;
  return instancesOfStudies({ base: `${base}/dicomweb`, headers: { authorization: `Bearer ${token}` } });
}

/** NumberOfStudyRelatedInstances summed over the studies a QIDO-RS query (e.g. `PatientID=BENCH*`) finds. */
export async function instancesOfStudies(web: { base: string; headers: Record<string, string> }, match = ''): Promise<number | undefined> {
  const res = await http(`${web.base}/studies?${match ? `${match}&` : ''}includefield=${STUDY_INSTANCES_TAG}&limit=1000`, {
    headers: { ...web.headers, accept: 'application/dicom+json' },
  });
  if (res.status === 204) return 0;
  if (res.status !== 200) return undefined;
  const studies = JSON.parse(res.body) as Array<Record<string, { Value?: Array<number | string> }>>;
  return studies.reduce((sum, study) => sum + Number(study[STUDY_INSTANCES_TAG]?.Value?.[0] ?? 0), 0);
}

/**
 * Starts the built server on a data directory (a new one gives a fresh embedded PostgreSQL), on
 * free loopback ports, with `extraEnv` over the bench's settings; resolves once it printed
 * "PACS ready" and /health answers (200 or 503).
 */
export async function startPacs(
  location: PacsLocation,
  dataDir: string,
  logFile: string,
  destinations: MoveDestinationPorts = { serial: 11119 },
  extraEnv: Record<string, string> = {},
): Promise<BenchServer> {
  await fs.access(location.main).catch(() => {
    throw new Error(`${location.main} not found: build first (npm run build)`);
  });
  await fs.mkdir(dataDir, { recursive: true });
  const ports = await freePorts(3);
  const adminPassword = adminPasswordFor(dataDir);
  const env = pacsEnv(dataDir, ports, adminPassword, destinations, extraEnv);
  // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server (NODE_OPTIONS refuses --cpu-prof)
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = new ServerProcess(process.execPath, [...nodeArgs, location.main], env, logFile, location.root);
  const base = `http://127.0.0.1:${ports[0]}`;
  const exited = () => (proc.hasExited ? `our server exited (see ${proc.logFile})` : undefined);
  try {
    await proc.waitForOutput(/PACS ready/, 90_000);
    await waitFor('GET /health', async () => ([200, 503].includes((await http(`${base}/health`)).status) ? true : undefined), 30_000, exited);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const token = await tokenFor(base, adminPassword).catch(() => undefined);
  return {
    aeTitle: PACS_AE,
    dimsePort: ports[1],
    pid: proc.child.pid,
    web: { base: `${base}/dicomweb`, headers: token ? { authorization: `Bearer ${token}` } : {} },
    countInstances: () => countViaQido(base, adminPassword),
    stop: () => proc.stop(),
  };
}
