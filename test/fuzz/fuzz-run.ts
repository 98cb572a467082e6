// The fuzz run: generated DIMSE and HTTP inputs against a running server, judged one by one,
// with /health and a normal C-STORE checked after every hundred, and at the end every stored
// file parsed by DCMTK (no unparseable instance may have been stored).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDcmtk, storescu } from '../support/dcmtk';
import { filesBelow } from '../support/files';
import { writeInstance } from '../support/generator';
import { CaseOutcome, dimseCase, FuzzTarget } from './dimse-cases';
import { httpCase } from './http-cases';
import { Prng } from './prng';

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Only this input (its index), to replay one failure. */
  only?: number;
  log?: (line: string) => void;
}

export interface Violation {
  index: number;
  name: string;
  violation: string;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  dimse: number;
  http: number;
  violations: Violation[];
  acknowledged: number;
  storedFiles: number;
  unparseable: string[];
}

/** Input `index` of run `seed` gets its own generator: any one input can be replayed alone. */
function caseRng(seed: number, index: number): Prng {
  return new Prng(createHash('sha256').update(`${seed}:${index}`).digest().readUInt32LE(0));
}

/** /health answers 200 and a normal instance is stored (0x0000): the server still serves everyone else. */
async function stillServing(target: FuzzTarget, scratch: string, index: number): Promise<string | undefined> {
  const health = await fetch(`${target.httpUrl}/health`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, (e: Error) => e.message);
  if (health !== 200) return `/health answered ${health}`;
  const file = join(scratch, `check-${index}.dcm`);
  writeInstance(file, { rows: 16, patientId: 'FUZZ-CHECK' });
  const sent = await storescu(target.dimsePort, [file], { callingAe: target.callingAe, calledAe: target.aeTitle, timeoutMs: 30_000 });
  if (sent.statuses[0] !== '0x0000') return `a normal C-STORE got ${sent.statuses[0] ?? 'no answer'} (${sent.stderr.slice(0, 200)})`;
  return undefined;
}

/** dcmdump's exit code is not 0 when a file does not parse to its end (length past the end, bad item …). */
async function dcmdumpFails(files: string[]): Promise<string | undefined> {
  const result = await runDcmtk('dcmdump', ['-M', ...files], { timeoutMs: 120_000 });
  if (result.code === 0) return undefined;
  return result.stderr.split('\n').find((l) => l.startsWith('E:')) ?? `exit ${result.code}`;
}

/** Every stored blob must parse to its end; files are checked a hundred at a time, failures one by one. */
export async function unparseableBlobs(dataDir: string): Promise<{ files: number; bad: string[] }> {
  const files = filesBelow(join(dataDir, 'blobs'));
  const bad: string[] = [];
  for (let at = 0; at < files.length; at += 100) {
    const batch = files.slice(at, at + 100);
    if (!(await dcmdumpFails(batch))) continue;
    for (const file of batch) {
      const error = await dcmdumpFails([file]);
      if (error) bad.push(`${file}: ${error}`);
    }
  }
  return { files: files.length, bad };
}

export async function runFuzz(target: FuzzTarget, dataDir: string, opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? (() => undefined);
  const report: FuzzReport = { seed: opts.seed, inputs: 0, dimse: 0, http: 0, violations: [], acknowledged: 0, storedFiles: 0, unparseable: [] };
  const scratch = mkdtempSync(join(tmpdir(), 'pacs-fuzz-'));
  try {
    const indexes = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.count }, (_, i) => i);
    for (const index of indexes) {
      const rng = caseRng(opts.seed, index);
      const dimse = rng.chance(0.5);
      let outcome: CaseOutcome;
      const began = Date.now();
      try {
        outcome = await (dimse ? dimseCase(rng, target) : httpCase(rng, target));
      } catch (err) {
        outcome = { name: dimse ? 'DIMSE input' : 'HTTP input', violation: `could not be sent: ${(err as Error).message}` };
      }
      if (process.env.PACS_FUZZ_TIMING) log(`#${index} ${Date.now() - began} ms ${outcome.name}`);
      report.inputs++;
      report[dimse ? 'dimse' : 'http']++;
      report.acknowledged += outcome.stored?.length ?? 0;
      if (outcome.violation) {
        report.violations.push({ index, name: outcome.name, violation: outcome.violation });
        log(`input ${index} (${outcome.name}): ${outcome.violation}`);
      }
      if ((index + 1) % 100 === 0 || index === indexes[indexes.length - 1]) {
        const broken = await stillServing(target, scratch, index);
        if (broken) report.violations.push({ index, name: 'still serving', violation: broken });
        log(`${index + 1} inputs, ${report.violations.length} violations${broken ? ` (${broken})` : ''}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const parsed = await unparseableBlobs(dataDir);
  report.storedFiles = parsed.files;
  report.unparseable = parsed.bad;
  return report;
}
