import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { instancesOfStudies, startPacs } from './pacs-server';
import { RunResult } from './report';
import { ArchiveShape, ensureScaleArchive, SCALE_SHAPE } from './scale-archive';
import { findLatencies, Latencies, percentile, qidoLatencies, ScaleQuery, scaleQueries } from './scale-queries';
import { BenchContext, retireStore, runScenario, SeededStore } from './scenario';

/**
 * `--phases=scale`: our server over an archive of a million instances (scale-archive.ts).
 * Latency of the queries a viewer's study list and a modality make (scale-queries.ts), over
 * QIDO-RS and over C-FIND, one after another; then the ingest corpus over 4 associations into
 * an empty archive and into the million, alternating, to show what the size costs the ingest.
 */
export interface LatencyRow {
  query: string;
  api: 'QIDO-RS' | 'C-FIND';
  count: number;
  p50: number;
  p95: number;
  p99: number;
  /** Mean studies returned per query (QIDO-RS stops at limit=50). */
  matches: number;
  errors: string[];
}

export interface ScaleRun {
  status: 'ok' | 'failed';
  reason?: string;
  instances: number;
  shape: ArchiveShape;
  archiveSeconds: number;
  latency: LatencyRow[];
  ingest: { empty: RunResult[]; full: RunResult[] };
}

const QUERIES = 200;
/** Uncounted queries first, with other values: a fresh process serves its first ones slower (JIT, plans). */
const WARMUP = 50;
const INGEST_ASSOCIATIONS = 4;
const INGEST_REPEAT = 2;
export const LATENCY_TARGET_MS = 50;

function row(query: ScaleQuery, api: LatencyRow['api'], l: Latencies): LatencyRow {
  const mean = l.matches.reduce((a, b) => a + b, 0) / Math.max(1, l.matches.length);
  return { query: query.name, api, count: l.ms.length, p50: percentile(l.ms, 50), p95: percentile(l.ms, 95), p99: percentile(l.ms, 99), matches: mean, errors: l.errors };
}

/** A copy of the archive's data directory: each server run writes to its own. */
function archiveCopy(archiveDir: string, label: string): SeededStore {
  return {
    label,
    seed: async (dataDir) => {
      execFileSync('cp', ['-a', `${archiveDir}/.`, dataDir]);
    },
    count: async (server) => (server.web ? instancesOfStudies(server.web, 'PatientID=BENCH*') : undefined),
  };
}

async function measureLatency(ctx: BenchContext, archiveDir: string, shape: ArchiveShape, say: (s: string) => void): Promise<LatencyRow[]> {
  const dataDir = path.join(ctx.benchDir, `pacs-${ctx.runId}-scale-queries`);
  execFileSync('cp', ['-a', archiveDir, dataDir]);
  const server = await startPacs(ctx.pacs, dataDir, path.join(ctx.logDir, `${ctx.runId}-scale-queries-server.log`));
  ctx.current = { server, dataDir };
  try {
    const web = server.web;
    if (!web) throw new Error('no DICOMweb root');
    const rows: LatencyRow[] = [];
    const measure = async (query: ScaleQuery, api: LatencyRow['api'], run: (first: number, count: number) => Promise<Latencies>) => {
      try {
        await run(1_000_000, WARMUP);
        rows.push(row(query, api, await run(0, QUERIES)));
      } catch (err) {
        rows.push(row(query, api, { ms: [NaN], matches: [], errors: [(err as Error).message] }));
      }
    };
    for (const query of scaleQueries(shape)) {
      await measure(query, 'QIDO-RS', (first, count) => qidoLatencies(web, query, first, count));
      await measure(query, 'C-FIND', (first, count) => findLatencies(server.dimsePort, server.aeTitle, query, first, count));
      say(`  ${query.name}: QIDO-RS p95 ${rows.at(-2)!.p95.toFixed(1)} ms, C-FIND p95 ${rows.at(-1)!.p95.toFixed(1)} ms`);
    }
    return rows;
  } finally {
    ctx.current = undefined;
    await server.stop();
    await retireStore(ctx, dataDir);
  }
}

async function measureIngest(ctx: BenchContext, archiveDir: string, instances: number, say: (s: string) => void): Promise<ScaleRun['ingest']> {
  const empty: RunResult[] = [];
  const full: RunResult[] = [];
  const report = (label: string, r: RunResult) =>
    say(`  ${label}: ${r.status === 'ok' ? `${r.instancesPerSecond!.toFixed(0)} instances/s` : `${r.status}: ${r.reason}`}`);
  for (let attempt = 1; attempt <= INGEST_REPEAT; attempt++) {
    // Alternating which goes first, so a drift in the machine's load falls on both.
    for (const which of attempt % 2 ? (['empty', 'full'] as const) : (['full', 'empty'] as const)) {
      const result = await runScenario(ctx, 'ours', INGEST_ASSOCIATIONS, attempt, which === 'full' ? archiveCopy(archiveDir, 'scale') : undefined);
      (which === 'full' ? full : empty).push(result);
      report(which === 'full' ? `into the ${instances} instances` : 'into an empty archive', result);
    }
  }
  return { empty, full };
}

export async function runScale(ctx: BenchContext, say: (s: string) => void, shape: ArchiveShape = SCALE_SHAPE): Promise<ScaleRun> {
  const instances = shape.studies * shape.seriesPerStudy * shape.instancesPerSeries;
  say(`scale: an archive of ${instances} instances (${shape.studies} studies, ${shape.patients} patients)…`);
  const archive = await ensureScaleArchive(path.join(ctx.benchDir, 'scale-archive'), ctx.corpus.files[0], shape, say);
  say(`  ${archive.reused ? 'reused' : `indexed in ${archive.seconds.toFixed(0)} s`} (${archive.dir})`);
  const run: ScaleRun = { status: 'ok', instances, shape, archiveSeconds: archive.seconds, latency: [], ingest: { empty: [], full: [] } };
  try {
    run.latency = await measureLatency(ctx, archive.dir, shape, say);
    run.ingest = await measureIngest(ctx, archive.dir, instances, say);
  } catch (err) {
    return { ...run, status: 'failed', reason: (err as Error).message };
  }
  const failed = [...run.latency.filter((r) => r.errors.length > 0).map((r) => `${r.api} ${r.query}: ${r.errors[0]}`), ...[...run.ingest.empty, ...run.ingest.full].filter((r) => r.status !== 'ok').map((r) => r.reason)];
  return failed.length > 0 ? { ...run, status: 'failed', reason: failed.join('; ') } : run;
}

const best = (runs: RunResult[]) => Math.max(0, ...runs.filter((r) => r.status === 'ok').map((r) => r.instancesPerSecond ?? 0));

export function formatScaleReport(run: ScaleRun): string {
  const lines = [`Scale: ${run.instances.toLocaleString('en')} instances indexed (${run.shape.studies} studies, ${run.shape.patients} patients), ${QUERIES} queries each, one client`];
  if (run.status !== 'ok') lines.push(`  FAILED: ${run.reason}`);
  lines.push('', '| query | API | p50 ms | p95 ms | p99 ms | studies/query | p95 < 50 ms |', '|---|---|---|---|---|---|---|');
  for (const r of run.latency) {
    lines.push(`| ${r.query} | ${r.api} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.matches.toFixed(1)} | ${r.p95 < LATENCY_TARGET_MS ? 'yes' : 'NO'} |`);
  }
  const empty = best(run.ingest.empty);
  const full = best(run.ingest.full);
  if (empty > 0 && full > 0) {
    const change = ((full - empty) / empty) * 100;
    lines.push('', `Ingest over ${INGEST_ASSOCIATIONS} associations (best of ${INGEST_REPEAT}): empty archive ${empty.toFixed(0)}/s, with ${run.instances} instances ${full.toFixed(0)}/s (${change >= 0 ? '+' : ''}${change.toFixed(1)} %; target within 10 %)`);
  }
  return lines.join('\n');
}
