import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runDcmtk } from '../support/dcmtk';
import { BENCH_AE } from './pacs-server';

/** Where a server listens for DIMSE. */
export interface DimseTarget {
  aeTitle: string;
  dimsePort: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(tool: string, args: string[]): Promise<{ seconds: number; output: string; code: number }> {
  const started = process.hrtime.bigint();
  const result = await runDcmtk(tool, args, { timeoutMs: 300_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, output: `${result.stdout}\n${result.stderr}`, code: result.code };
}

/** Options first, then host and port: DCMTK's usual order. */
const peer = (t: DimseTarget, ...options: string[]) => ['-aet', BENCH_AE, '-aec', t.aeTitle, ...options, '127.0.0.1', String(t.dimsePort)];

/**
 * The shared harness's C-FIND (../shared/bench/run.sh step_cfind): Study Root, study level, a
 * patient-name wildcard matching most of the corpus, the return keys a workstation's study list asks.
 */
export const studyFindKeys = (patientPrefix: string) =>
  ['QueryRetrieveLevel=STUDY', `PatientName=${patientPrefix}*`, 'StudyInstanceUID', 'StudyDate', 'AccessionNumber', 'StudyDescription', 'PatientID'].flatMap((k) => ['-k', k]);

export interface FindResult {
  /** `findscu --repeat n`: one association, n queries, wall time / n, ms. */
  oneAssociationMs: number;
  /** n findscu runs one after another (process, association, one query): median and p95, ms. */
  newAssociationMedianMs: number;
  newAssociationP95Ms: number;
  failures: number;
  /** Pending responses of one untimed verbose run: the studies matched. */
  matches: number;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))];
};
const failed = (r: { code: number; output: string }) => r.code !== 0 || /^(E|F):|Failed|Rejected/m.test(r.output);

/** C-FIND the way the shared harness times it: n runs of findscu, then n queries in one association. */
export async function measureFind(t: DimseTarget, keys: string[], n = 200): Promise<FindResult> {
  const args = ['-S', ...peer(t, '-to', '10', ...keys)];
  const check = await timed('findscu', ['-v', ...args]);
  const matches = (check.output.match(/Find Response: \d+ \(Pending/g) ?? []).length;
  const runs: number[] = [];
  let failures = failed(check) ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const r = await timed('findscu', args);
    if (failed(r)) failures++;
    else runs.push(r.seconds * 1000);
  }
  const repeated = await timed('findscu', ['--repeat', String(n), ...args]);
  if (failed(repeated)) failures++;
  return {
    oneAssociationMs: (repeated.seconds * 1000) / n,
    newAssociationMedianMs: median(runs),
    newAssociationP95Ms: percentile(runs, 95),
    failures,
    matches,
  };
}

async function countFiles(dir: string): Promise<number> {
  return (await fs.readdir(dir)).length;
}

const studyKeys = (studyUid: string) => ['-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${studyUid}`];

export interface RetrieveResult {
  /** Median of the runs. */
  seconds: number;
  received: number;
  expected: number;
  failures: number;
}

/** Median of the successful runs; failures counted. */
async function medianRun(runs: number, expected: number, once: (i: number) => Promise<{ seconds: number; received: number; ok: boolean }>): Promise<RetrieveResult> {
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < runs; i++) {
    const r = await once(i);
    if (r.ok && r.received === expected) times.push(r.seconds);
    else failures++;
  }
  return { seconds: times.length > 0 ? median(times) : NaN, received: times.length > 0 ? expected : 0, expected, failures };
}

/** C-GET of one study with getscu into a fresh directory per run (the harness's cget_study). */
export function measureGet(t: DimseTarget, studyUid: string, expected: number, workDir: string, runs = 3): Promise<RetrieveResult> {
  return medianRun(runs, expected, async (i) => {
    const dir = path.join(workDir, `get-${i}`);
    await fs.mkdir(dir, { recursive: true });
    const r = await timed('getscu', ['-S', ...peer(t, '-to', '30', ...studyKeys(studyUid), '-od', dir)]);
    const received = await countFiles(dir);
    await fs.rm(dir, { recursive: true, force: true });
    return { seconds: r.seconds, received, ok: r.code === 0 };
  });
}

/**
 * C-MOVE of one study. With `receiverPort`, movescu itself receives on that port as AE
 * `destination` (the harness's cmove_study); without, a storescp of the bench already listens
 * for `destination` and writes into `destDir`.
 */
export function measureMove(t: DimseTarget, studyUid: string, expected: number, destination: string, destDir: string, receiverPort?: number, runs = 3): Promise<RetrieveResult> {
  return medianRun(runs, expected, async () => {
    await fs.rm(destDir, { recursive: true, force: true });
    await fs.mkdir(destDir, { recursive: true });
    const receiver = receiverPort ? ['--port', String(receiverPort), '-od', destDir] : [];
    const r = await timed('movescu', ['-S', ...peer(t, '-aem', destination, ...receiver, '-to', '30', ...studyKeys(studyUid))]);
    return { seconds: r.seconds, received: await countFiles(destDir), ok: r.code === 0 };
  });
}
