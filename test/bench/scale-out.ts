import * as path from 'node:path';
import { Radosgw, startRadosgw } from '../support/radosgw';
import { s3StorageEnv } from '../support/s3';
import { CpuMeter, cpuMsOf } from './cpu-meter';
import { measureQidoStudies } from './query-retrieve';
import { RunResult } from './report';
import { BenchContext, countStored, runScenario, startServer, withServerEnv } from './scenario';
import { BenchServer } from './server-process';
import { ScaleOutCell, ScaleOutIngest, ScaleOutQido, ScaleOutResult } from './scale-out-report';

/**
 * The scale-out phase (issue 29): our server alone, ingest over four associations with one and
 * two worker processes (PACS_WORKERS), blobs on the filesystem and on S3 (a Ceph radosgw on this
 * machine, a new one per run), then QIDO studies req/s with one and two workers on the same
 * stored data. Orthanc has no counterpart to either setting.
 */

const ASSOCIATIONS = 4;
const WORKER_COUNTS = [1, 2];
/**
 * QIDO warm-up per worker process: each compiles its own code, and a fresh Node process needs
 * ~1,500 requests to reach its steady rate (qr-http.ts). After the qr phase's 4 s the first of
 * three back-to-back measurements on one start was 36-54 % below the second, with one worker as
 * with two, on a busy machine (load average 8).
 */
const QIDO_WARMUP_SECONDS_PER_WORKER = 8;
/** No repetition starts after the phase has run this long. */
const REPEAT_BUDGET_MS = 4 * 60_000;

export interface ScaleOutOptions {
  repeat: number;
  say: (message: string) => void;
}

/** One repetition's order; reversed every other repetition, so no configuration always runs right after another. */
function cellsFor(attempt: number): ScaleOutCell[] {
  const cells = (['filesystem', 's3'] as const).flatMap((storage) => WORKER_COUNTS.map((workers) => ({ storage, workers })));
  return attempt % 2 === 1 ? cells : cells.reverse();
}

export async function runScaleOut(ctx: BenchContext, options: ScaleOutOptions): Promise<ScaleOutResult> {
  const result: ScaleOutResult = { associations: ASSOCIATIONS, ingest: [], qido: [] };
  const started = Date.now();
  for (let attempt = 1; attempt <= options.repeat; attempt++) {
    if (attempt > 1 && Date.now() - started > REPEAT_BUDGET_MS) {
      options.say(`scale-out: skipping runs ${attempt}..${options.repeat}: the phase has run ${REPEAT_BUDGET_MS / 60_000} minutes already`);
      break;
    }
    for (const cell of cellsFor(attempt)) result.ingest.push(await ingest(ctx, cell, attempt, options.say));
  }
  const store = result.ingest.find((i) => i.storage === 'filesystem' && i.run.status === 'ok')?.run.dataDir;
  if (store) result.qido = await qidoRuns(ctx, store, options);
  else result.failure = 'QIDO not measured: no filesystem ingest run succeeded';
  return result;
}

/**
 * One ingest run of a configuration into a fresh store (runScenario: started, sent, counted back,
 * stopped). An S3 run gets a radosgw of its own (memstore, ~1 s to start), stopped after it: one
 * radosgw for the whole phase refused every PUT from the second or third run on (the OSD's "full
 * status failsafe engaged ... -2147483648% full"), although each run's bucket had been emptied.
 */
async function ingest(ctx: BenchContext, cell: ScaleOutCell, attempt: number, say: (m: string) => void): Promise<ScaleOutIngest> {
  const label = `scaleout-${cell.storage}-${cell.workers}w`;
  say(`ours, ${cell.storage}, ${cell.workers} worker(s): storing ${ctx.corpus.files.length} instances over ${ASSOCIATIONS} associations, run ${attempt}…`);
  let gateway: Radosgw | undefined;
  let run: RunResult;
  let cephMs: number | undefined;
  try {
    const env: Record<string, string> = { PACS_WORKERS: String(cell.workers) };
    if (cell.storage === 's3') {
      gateway = await startRadosgw();
      await gateway.createBucket('bench');
      Object.assign(env, s3StorageEnv(gateway.endpoint, 'bench', gateway));
    }
    // Around the whole run, the server's start and stop included: Ceph idles at 0.5 % of a core.
    const cephBefore = gateway ? await cpuMsOf(gateway.pids()) : undefined;
    run = await withServerEnv(ctx, env, label, () => runScenario(ctx, 'ours', ASSOCIATIONS, attempt));
    if (gateway && cephBefore !== undefined) cephMs = ((await cpuMsOf(gateway.pids())) - cephBefore) / run.expected;
  } catch (err) {
    run = { server: 'ours', associations: ASSOCIATIONS, attempt, status: 'failed', reason: (err as Error).message.split('\n')[0], expected: ctx.corpus.files.length };
  } finally {
    await gateway?.stop();
  }
  say(run.status === 'ok' ? `  ${run.instancesPerSecond!.toFixed(0)} instances/s (${run.seconds!.toFixed(1)} s, verified by ${run.verifiedBy})` : `  ${run.status}: ${run.reason}`);
  return { ...cell, run, cephMs };
}

/**
 * QIDO studies req/s on one store filled by a filesystem run, the server restarted on it with
 * each worker count in turn (the order reversed every other repetition).
 */
async function qidoRuns(ctx: BenchContext, store: string, options: ScaleOutOptions): Promise<ScaleOutQido[]> {
  const runs: ScaleOutQido[] = [];
  for (let attempt = 1; attempt <= options.repeat; attempt++) {
    const order = attempt % 2 === 1 ? WORKER_COUNTS : [...WORKER_COUNTS].reverse();
    for (const workers of order) {
      options.say(`ours, ${workers} worker(s): QIDO studies on the stored corpus, run ${attempt}…`);
      const run = await withServerEnv(ctx, { PACS_WORKERS: String(workers) }, `scaleout-qido-${workers}w`, () => qidoOnce(ctx, store, workers, attempt));
      options.say(run.status === 'ok' ? `  ${run.qido!.perSecond.toFixed(0)} req/s` : `  failed: ${run.reason}`);
      runs.push(run);
    }
  }
  return runs;
}

async function qidoOnce(ctx: BenchContext, store: string, workers: number, attempt: number): Promise<ScaleOutQido> {
  const expected = ctx.corpus.files.length;
  const logFile = path.join(ctx.logDir, `${ctx.runId}-${attempt}-server.log`);
  let server: BenchServer | undefined;
  try {
    server = await startServer(ctx, 'ours', store, logFile);
    ctx.current = { server, dataDir: store };
    // The same data for every run: a restart that lost or hid instances would measure another query.
    const counted = await countStored(server, expected);
    if (counted !== expected) throw new Error(`${counted ?? 'no count'} of ${expected} instances found after the restart`);
    let meter: CpuMeter | undefined;
    const pid = server.pid;
    const qido = await measureQidoStudies(server.web!, QIDO_WARMUP_SECONDS_PER_WORKER * workers, async () => {
      meter = pid === undefined ? undefined : await CpuMeter.start(pid);
    });
    const cpu = await meter?.stop(qido.requests);
    if (qido.errors.length > 0) throw new Error(`QIDO answered ${qido.errors.join(', ')}`);
    return { workers, attempt, status: 'ok', qido, cpu };
  } catch (err) {
    return { workers, attempt, status: 'failed', reason: (err as Error).message };
  } finally {
    ctx.current = undefined;
    await server?.stop();
  }
}
