import { CpuPerInstance } from './cpu-meter';
import { RateResult } from './qr-http';
import { RunResult, bestOf, cell, fixed, table } from './report';

export type BlobStorage = 'filesystem' | 's3';

/** One configuration of our server in the scale-out phase. */
export interface ScaleOutCell {
  storage: BlobStorage;
  /** PACS_WORKERS. */
  workers: number;
}

export interface ScaleOutIngest extends ScaleOutCell {
  run: RunResult;
  /** S3: CPU of the Ceph daemons (mon, OSD, radosgw) per instance over the run, ms. */
  cephMs?: number;
}

/** QIDO studies req/s of one server start on the phase's filesystem store. */
export interface ScaleOutQido {
  workers: number;
  attempt: number;
  status: 'ok' | 'failed';
  reason?: string;
  qido?: RateResult;
  /** CPU per request over the measured requests (not the warm-up). */
  cpu?: CpuPerInstance;
}

export interface ScaleOutResult {
  associations: number;
  ingest: ScaleOutIngest[];
  qido: ScaleOutQido[];
  /** Why a part of the phase could not run at all. */
  failure?: string;
}

const STORAGE_NAME: Record<BlobStorage, string> = { filesystem: 'filesystem', s3: 'S3 (radosgw)' };

/** a / b to two decimals, or a dash when either is missing. */
export function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}×`;
}

const rate = (run: RunResult | undefined) => (run?.status === 'ok' ? run.instancesPerSecond : undefined);
/** The fastest of the runs; undefined when any failed. */
function bestQido(runs: ScaleOutQido[]): ScaleOutQido | undefined {
  if (runs.length === 0 || runs.some((r) => r.status !== 'ok')) return undefined;
  return runs.reduce((a, b) => (b.qido!.perSecond > a.qido!.perSecond ? b : a));
}

/** main, workers, PostgreSQL and machine, ms per instance or request. */
function cpuCells(cpu: CpuPerInstance | undefined): string[] {
  if (!cpu) return ['—', '—', '—', '—'];
  return [cpu.serverMs, cpu.helpersMs - cpu.postgresMs, cpu.postgresMs, cpu.machineMs].map((ms) => fixed(ms, 2));
}

/** Every configuration measured, in a fixed order: filesystem before S3, one worker before two. */
function cellsOf(result: ScaleOutResult): ScaleOutCell[] {
  const seen = new Map<string, ScaleOutCell>();
  for (const { storage, workers } of result.ingest) seen.set(`${storage}/${workers}`, { storage, workers });
  const order = (c: ScaleOutCell) => (c.storage === 'filesystem' ? 0 : 1000) + c.workers;
  return [...seen.values()].sort((a, b) => order(a) - order(b));
}

/** Header and one row per configuration: best run, its ratios, its CPU per instance. */
export function ingestTable(result: ScaleOutResult): string[][] {
  const best = (storage: BlobStorage, workers: number) =>
    bestOf(result.ingest.filter((i) => i.storage === storage && i.workers === workers).map((i) => i.run));
  // bestOf returns a copy (with the highest memory peaks): the run is found again by its attempt.
  const cephOf = (cell: ScaleOutCell, run: RunResult) =>
    result.ingest.find((i) => i.storage === cell.storage && i.workers === cell.workers && i.run.attempt === run.attempt)?.cephMs;
  const rows = [['storage', 'workers', 'inst/s', 'MB/s', 'workers/1', 'S3/filesystem', 'main ms/inst', 'workers ms/inst', 'PG ms/inst', 'machine ms/inst', 'Ceph ms/inst']];
  for (const { storage, workers } of cellsOf(result)) {
    const run = best(storage, workers);
    rows.push([
      STORAGE_NAME[storage],
      String(workers),
      cell(run, (r) => fixed(r.instancesPerSecond)),
      cell(run, (r) => fixed(r.mbPerSecond, 1)),
      workers === 1 ? '' : ratio(rate(run), rate(best(storage, 1))),
      storage === 'filesystem' ? '' : ratio(rate(run), rate(best('filesystem', workers))),
      ...cpuCells(run?.status === 'ok' ? run.cpu : undefined),
      storage === 'filesystem' ? '' : fixed(run?.status === 'ok' ? cephOf({ storage, workers }, run) : undefined, 2),
    ]);
  }
  return rows;
}

/** Header and one row per worker count: best req/s and its ratio to one worker. */
export function qidoTable(result: ScaleOutResult): string[][] {
  const workerCounts = [...new Set(result.qido.map((q) => q.workers))].sort((a, b) => a - b);
  const of = (workers: number) => result.qido.filter((q) => q.workers === workers);
  const perSecond = (workers: number) => bestQido(of(workers))?.qido?.perSecond;
  const rows = [['workers', 'QIDO req/s', 'workers/1', 'main ms/req', 'workers ms/req', 'PG ms/req', 'machine ms/req']];
  for (const workers of workerCounts) {
    const best = bestQido(of(workers));
    rows.push([String(workers), best ? fixed(perSecond(workers)) : 'failed', workers === 1 ? '' : ratio(perSecond(workers), perSecond(1)), ...cpuCells(best?.cpu)]);
  }
  return rows;
}

function problems(result: ScaleOutResult): string[] {
  const lines = [
    ...(result.failure ? [`  ${result.failure}`] : []),
    ...result.ingest.filter((i) => i.run.status !== 'ok').map((i) => `  ingest ${i.storage}, ${i.workers} worker(s), run ${i.run.attempt}: ${i.run.status}: ${i.run.reason}`),
    ...result.qido.filter((q) => q.status !== 'ok').map((q) => `  QIDO, ${q.workers} worker(s), run ${q.attempt}: ${q.reason}`),
  ];
  return lines.length > 0 ? ['', 'problems:', ...lines] : [];
}

/** The phase's two tables with their ratios, and what failed. */
export function formatScaleOut(result: ScaleOutResult): string {
  const repeats = Math.max(0, ...result.ingest.map((i) => i.run.attempt));
  return [
    `Scale-out (ours): ingest over ${result.associations} associations into a fresh store per run, best of ${repeats}; S3: a radosgw (memstore, loopback) per run`,
    '',
    table(ingestTable(result)),
    '',
    'CPU per instance over the send: main = the server process (with workers, the cluster primary), workers = its worker processes, PG = the embedded PostgreSQL, machine = every process (storescu, the bench and Ceph included); Ceph = its mon, OSD and radosgw over the whole run (they idle at 0.5 % of a core).',
    `load average before each run: ${result.ingest.map((i) => `${i.storage === 's3' ? 'S3' : 'fs'}/${i.workers} ${i.run.loadBefore?.toFixed(2) ?? '—'}`).join(', ')}`,
    ...(result.qido.length > 0 ? ['', 'QIDO /studies?PatientName=DOE*&limit=50 on one filesystem store, server restarted per run, best of runs:', '', table(qidoTable(result)), 'CPU per request over the measured requests, as above (the machine includes the bench\'s HTTP client).'] : []),
    ...problems(result),
  ].join('\n');
}

/** A slower configuration is a result; a run that lost instances or failed is a failure. */
export function scaleOutSucceeded(result: ScaleOutResult): boolean {
  return !result.failure && result.ingest.every((i) => i.run.status === 'ok') && result.qido.every((q) => q.status === 'ok');
}
