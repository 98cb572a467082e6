import { RunResult } from './report';
import { BenchContext, withServerEnv } from './scenario';

/** Worker processes of ours in the extra ingest run (PACS_WORKERS; one per core here). */
export const INGEST_WORKERS = 2;

/**
 * Issue 30: C-STORE over several associations is compared with Orthanc using the workers of the
 * scale-out issue. Ours runs once more per cell of more than one association with PACS_WORKERS.
 */
export function withWorkers<T>(ctx: BenchContext, run: () => Promise<T>): Promise<T> {
  return withServerEnv(ctx, { PACS_WORKERS: String(INGEST_WORKERS) }, `workers${INGEST_WORKERS}`, run);
}

const best = (runs: RunResult[], server: RunResult['server'], n: number) => {
  const ok = runs.filter((r) => r.associations === n && r.server === server && r.status === 'ok');
  return ok.length === 0 ? undefined : Math.max(...ok.map((r) => r.instancesPerSecond ?? 0));
};

/** One line per association count with a workers run: ours with workers against Orthanc. */
export function formatWorkersComparison(runs: RunResult[], workerRuns: RunResult[], associations: number[]): string {
  const lines = associations
    .filter((n) => workerRuns.some((r) => r.associations === n))
    .map((n) => {
      const orthanc = best(runs, 'orthanc', n);
      const withWorkers = best(workerRuns, 'ours', n);
      if (withWorkers === undefined) return `  ${n} associations: not measured (a run failed)`;
      const ratio = orthanc === undefined ? '' : `, ${(withWorkers / orthanc).toFixed(2)}× Orthanc's ${orthanc.toFixed(0)}/s (target ≥1×)`;
      return `  ${n} associations: ours with ${INGEST_WORKERS} workers ${withWorkers.toFixed(0)}/s${ratio}`;
    });
  return [`ingest with worker processes (PACS_WORKERS=${INGEST_WORKERS}, best of runs):`, ...lines].join('\n');
}
