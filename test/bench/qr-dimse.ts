import { execFileSync } from 'node:child_process';
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

const peer = (t: DimseTarget) => ['-aet', BENCH_AE, '-aec', t.aeTitle, '127.0.0.1', String(t.dimsePort)];

/** A study-level Study Root query file: PatientName prefix, the usual study return keys. */
export async function writeStudyQuery(dir: string, patientPrefix: string): Promise<string> {
  const dump = path.join(dir, 'study-query.dump');
  const file = path.join(dir, 'study-query.dcm');
  const keys = [
    '(0008,0052) CS [STUDY]',
    `(0010,0010) PN [${patientPrefix}*]`,
    '(0010,0020) LO []',
    '(0020,000d) UI []',
    '(0008,0020) DA []',
    '(0008,0050) SH []',
    '(0008,1030) LO []',
    '(0020,1208) IS []',
  ];
  await fs.writeFile(dump, `${keys.join('\n')}\n`);
  execFileSync('dump2dcm', [dump, file]);
  return file;
}

export interface FindResult {
  /** Per query on one association: (median T(1+n) − median T(1)) / n, ms. */
  perQueryMs: number;
  /** Median wall time of one findscu run with one query (process, association, query), ms. */
  medianRunMs: number;
  failures: number;
  /** Pending responses of one untimed verbose run: the studies matched. */
  matches: number;
}

/** C-FIND latency: `runs` findscu runs with one query, and `runs` with 1 + n queries on one association. */
export async function measureFind(t: DimseTarget, queryFile: string, n = 40, runs = 5): Promise<FindResult> {
  const single: number[] = [];
  const many: number[] = [];
  let failures = 0;
  for (let i = 0; i < runs; i++) {
    const one = await timed('findscu', ['-S', ...peer(t), queryFile]);
    const all = await timed('findscu', ['-S', ...peer(t), ...Array.from({ length: n + 1 }, () => queryFile)]);
    for (const r of [one, all]) if (r.code !== 0 || /^(E|F):/m.test(r.output)) failures++;
    single.push(one.seconds);
    many.push(all.seconds);
  }
  const check = await timed('findscu', ['-v', '-S', ...peer(t), queryFile]);
  const matches = (check.output.match(/Find Response: \d+ \(Pending/g) ?? []).length;
  return { perQueryMs: ((median(many) - median(single)) / n) * 1000, medianRunMs: median(single) * 1000, failures, matches };
}

async function countFiles(dir: string): Promise<number> {
  return (await fs.readdir(dir)).length;
}

const seriesKeys = (studyUid: string, seriesUid: string) => ['-k', '0008,0052=SERIES', '-k', `0020,000D=${studyUid}`, '-k', `0020,000E=${seriesUid}`];

export interface RetrieveResult {
  /** Best of the runs. */
  seconds: number;
  received: number;
  expected: number;
  failures: number;
}

/** C-GET of one series with getscu into a fresh directory per run; best of `runs`. */
export async function measureGet(t: DimseTarget, studyUid: string, seriesUid: string, expected: number, workDir: string, runs = 3): Promise<RetrieveResult> {
  let best: RetrieveResult = { seconds: Infinity, received: 0, expected, failures: 0 };
  for (let i = 0; i < runs; i++) {
    const dir = path.join(workDir, `get-${i}`);
    await fs.mkdir(dir, { recursive: true });
    const r = await timed('getscu', ['-S', ...seriesKeys(studyUid, seriesUid), '-od', dir, ...peer(t)]);
    const received = await countFiles(dir);
    const failed = r.code !== 0 || received !== expected;
    if (failed) best.failures++;
    else if (r.seconds < best.seconds) best = { ...best, seconds: r.seconds, received };
    await fs.rm(dir, { recursive: true, force: true });
  }
  return best;
}

/** C-MOVE of one series to a storescp of the bench (AE `destination`, writing into `destDir`); best of `runs`. */
export async function measureMove(t: DimseTarget, studyUid: string, seriesUid: string, expected: number, destination: string, destDir: string, runs = 3): Promise<RetrieveResult> {
  let best: RetrieveResult = { seconds: Infinity, received: 0, expected, failures: 0 };
  for (let i = 0; i < runs; i++) {
    await fs.rm(destDir, { recursive: true, force: true });
    await fs.mkdir(destDir, { recursive: true });
    const r = await timed('movescu', ['-S', '-aem', destination, ...seriesKeys(studyUid, seriesUid), ...peer(t)]);
    const received = await countFiles(destDir);
    const failed = r.code !== 0 || received !== expected;
    if (failed) best.failures++;
    else if (r.seconds < best.seconds) best = { ...best, seconds: r.seconds, received };
  }
  return best;
}
