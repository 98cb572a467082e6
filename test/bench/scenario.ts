import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Corpus } from './corpus';
import { CpuMeter } from './cpu-meter';
import { OrthancInfo, startOrthanc } from './orthanc-server';
import { MoveDestinationPorts, PacsLocation, startPacs } from './pacs-server';
import { RunResult, ServerKind } from './report';
import { BenchServer } from './server-process';
import { sendCorpus } from './storescu-runner';

export interface BenchContext {
  benchDir: string;
  logDir: string;
  runId: string;
  corpus: Corpus;
  orthanc?: OrthancInfo;
  pacs: PacsLocation;
  keepData: boolean;
  /** Stores of finished runs, dropped together when the bench ends (retireStore, dropRetired). */
  retired: string[];
  /** Settings our server gets on top of the bench's (see withServerEnv). */
  serverEnv?: Record<string, string>;
  /** Set while a server runs, so an interrupted bench can stop it and drop its store. */
  current?: { server: BenchServer; dataDir: string };
  orthancVersion?: string;
}

/**
 * Fresh data directory per run: every run stores into an empty archive. Every finished run has
 * retired its store, so their count numbers the runs (ours with and without audit get two).
 */
function dataDirFor(ctx: BenchContext, kind: ServerKind, associations: number, attempt: number): string {
  const name = `${ctx.runId}-${associations}assoc-${attempt}-${ctx.retired.length}`;
  return kind === 'orthanc' ? path.join(ctx.benchDir, 'orthanc', `db-${name}`) : path.join(ctx.benchDir, `pacs-${name}`);
}

export async function startServer(ctx: BenchContext, kind: ServerKind, dataDir: string, logFile: string, destinations?: MoveDestinationPorts): Promise<BenchServer> {
  if (kind === 'ours') return startPacs(ctx.pacs, dataDir, logFile, destinations, ctx.serverEnv);
  if (!ctx.orthanc) throw new Error('Orthanc is not installed');
  const orthanc = await startOrthanc(ctx.orthanc, ctx.benchDir, dataDir, logFile, destinations);
  ctx.orthancVersion = orthanc.version;
  return orthanc;
}

/**
 * Runs `run` with our server started with `env` on top of the bench's settings (e.g. audit off,
 * PACS_WORKERS, S3 storage); `label` names its stores and logs apart from the others.
 */
export async function withServerEnv<T>(ctx: BenchContext, env: Record<string, string>, label: string, run: () => Promise<T>): Promise<T> {
  const saved = { env: ctx.serverEnv, runId: ctx.runId };
  ctx.serverEnv = { ...saved.env, ...env };
  ctx.runId = `${saved.runId}-${label}`;
  try {
    return await run();
  } finally {
    ctx.serverEnv = saved.env;
    ctx.runId = saved.runId;
  }
}

/**
 * Asks the server how many instances it holds, retrying briefly in case it indexes after the
 * acknowledgement; undefined when it cannot be asked.
 */
export async function countStored(server: BenchServer, expected: number): Promise<number | undefined> {
  let counted: number | undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    counted = await server.countInstances().catch(() => undefined);
    if (counted === undefined || counted >= expected) return counted;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return counted;
}

function verdict(result: RunResult, exitCodes: number[], failures: number): RunResult {
  const badExit = exitCodes.some((c) => c !== 0);
  if (result.counted !== undefined && result.counted !== result.expected) {
    return { ...result, status: 'failed', reason: `${result.counted} of ${result.expected} instances stored` };
  }
  if (badExit || failures > 0) {
    return { ...result, status: 'failed', reason: `storescu exit codes ${exitCodes.join(',')}, ${failures} error lines` };
  }
  return { ...result, status: 'ok' };
}

/**
 * Retires a run's store (1 GB); the logs stay in .bench/logs. Stores are dropped only when the
 * bench ends: this machine's ext4 has no journal, and then it skips inodes freed in the last
 * minutes when it makes a file, so a run started right after a large delete pays several times
 * the usual cost per created file (docs/benchmarks.md, "What this machine does to the figures")
 * and its place in the run order would decide its result.
 */
export async function retireStore(ctx: BenchContext, dataDir: string): Promise<void> {
  if (!ctx.retired.includes(dataDir)) ctx.retired.push(dataDir);
}

/** Drops every retired store, unless --keep-data. */
export async function dropRetired(ctx: BenchContext): Promise<void> {
  const dirs = ctx.retired.splice(0);
  if (!ctx.keepData) for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
}

/** A store that does not start empty: what it holds before the run, and how the corpus is counted in it. */
export interface SeededStore {
  label: string;
  /** Fills the (new, empty) data directory before the server starts. */
  seed(dataDir: string): Promise<void>;
  /** The corpus's instances the server holds, among the others. */
  count(server: BenchServer, expected: number): Promise<number | undefined>;
}

/** Starts one server on a fresh store (or a seeded one), sends the corpus, checks it arrived, stops the server. */
export async function runScenario(ctx: BenchContext, kind: ServerKind, associations: number, attempt: number, store?: SeededStore): Promise<RunResult> {
  const expected = ctx.corpus.files.length;
  const name = `${ctx.runId}-${kind}-${associations}assoc-${attempt}${store ? `-${store.label}` : ''}`;
  const dataDir = dataDirFor(ctx, kind, associations, attempt);
  await store?.seed(dataDir);
  // Flush what earlier runs left dirty, so this run's fsyncs do not pay for them.
  execFileSync('sync');
  const loadBefore = os.loadavg()[0];
  let server: BenchServer;
  try {
    server = await startServer(ctx, kind, dataDir, path.join(ctx.logDir, `${name}-server.log`));
  } catch (err) {
    await retireStore(ctx, dataDir);
    return { server: kind, associations, attempt, status: 'failed', reason: `start: ${(err as Error).message}`, expected, loadBefore };
  }
  ctx.current = { server, dataDir };
  try {
    const cpu = server.pid === undefined ? undefined : await CpuMeter.start(server.pid);
    const sent = await sendCorpus(server, ctx.corpus.files, associations, path.join(ctx.logDir, `${name}-storescu.log`));
    const cpuPerInstance = await cpu?.stop(expected);
    const counted = store ? await store.count(server, expected) : await countStored(server, expected);
    const result: RunResult = {
      server: kind,
      associations,
      attempt,
      status: 'ok',
      seconds: sent.seconds,
      instancesPerSecond: expected / sent.seconds,
      mbPerSecond: ctx.corpus.bytes / 1e6 / sent.seconds,
      expected,
      loadBefore,
      counted,
      verifiedBy: counted === undefined ? 'storescu-status' : 'instance-count',
      storescuFailures: sent.failures.slice(0, 20),
      cpu: cpuPerInstance,
      dataDir,
    };
    result.memory = await server.stop();
    return verdict(result, sent.exitCodes, sent.failures.length);
  } finally {
    ctx.current = undefined;
    // Idempotent: a no-op after the stop above, the only stop when sending threw.
    await server.stop();
    await retireStore(ctx, dataDir);
  }
}
