import { RunResult } from './report';
import { BenchContext, withServerEnv } from './scenario';

/**
 * Issue 4: "`npm run bench` shows ingest with audit on vs off (under 10% difference)". Our
 * server is run once more per cell with PACS_AUDIT_ENABLED=false (no audit events at all, a
 * setting for this measurement only); the report then prints what the audit trail costs.
 */
export function withAuditOff<T>(ctx: BenchContext, run: () => Promise<T>): Promise<T> {
  return withServerEnv(ctx, { PACS_AUDIT_ENABLED: 'false' }, 'auditoff', run);
}

/** One line per association count: best instances/s with audit on and off, and the cost. */
export function formatAuditComparison(on: RunResult[], off: RunResult[], associations: number[]): string {
  const best = (runs: RunResult[], n: number) => {
    const ok = runs.filter((r) => r.associations === n && r.server === 'ours');
    if (ok.length === 0 || ok.some((r) => r.status !== 'ok')) return undefined;
    return Math.max(...ok.map((r) => r.instancesPerSecond ?? 0));
  };
  const lines = associations.map((n) => {
    const a = best(on, n);
    const b = best(off, n);
    if (a === undefined || b === undefined) return `  ${n} association(s): not measured (a run failed)`;
    const cost = ((b - a) / b) * 100;
    return `  ${n} association(s): audit on ${a.toFixed(0)}/s, off ${b.toFixed(0)}/s: audit costs ${cost.toFixed(1)}% (limit 10%)`;
  });
  return ['audit trail cost (ours, best of runs, PACS_AUDIT_ENABLED=true vs false):', ...lines].join('\n');
}
