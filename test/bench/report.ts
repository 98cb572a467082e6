import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { CpuPerInstance } from './cpu-meter';
import { MemoryPeaks } from './memory-sampler';

export type ServerKind = 'orthanc' | 'ours';

export interface RunResult {
  server: ServerKind;
  associations: number;
  /** 1-based repetition of this server and scenario (--repeat). */
  attempt: number;
  status: 'ok' | 'failed' | 'skipped';
  /** Why a run failed or was skipped. */
  reason?: string;
  seconds?: number;
  instancesPerSecond?: number;
  /** Megabytes (10^6 bytes) of Part 10 files sent per second. */
  mbPerSecond?: number;
  expected: number;
  /** 1-minute load average just before the run: other work on the machine skews figures. */
  loadBefore?: number;
  /** What the server reported holding afterwards; absent when it could not be asked. */
  counted?: number;
  verifiedBy?: 'instance-count' | 'storescu-status';
  storescuFailures?: string[];
  memory?: MemoryPeaks;
  /** CPU per instance over the send (see CpuMeter). */
  cpu?: CpuPerInstance;
  /** The run's store (data directory; dropped when the bench ends unless --keep-data). */
  dataDir?: string;
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  /** 1-minute load average when the bench started. */
  loadAtStart: number;
  node: string;
  orthanc?: string;
  dcmtk: string;
}

export interface BenchReport {
  timestamp: string;
  machine: MachineInfo;
  corpus: { files: number; bytes: number; description: string; reused: boolean };
  runs: RunResult[];
}

export function machineInfo(loadAtStart: number, orthancVersion?: string): MachineInfo {
  const dcmtk = execFileSync('storescu', ['--version'], { encoding: 'utf8' }).split('\n')[0].replace(/^\$dcmtk: |\s*\$$/g, '');
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    loadAtStart,
    node: process.version,
    orthanc: orthancVersion,
    dcmtk,
  };
}

export const fixed = (value: number | undefined, digits = 0) => (value === undefined ? '—' : value.toFixed(digits));

export function cell(run: RunResult | undefined, pick: (r: RunResult) => string): string {
  if (!run) return 'not run';
  return run.status === 'ok' ? pick(run) : run.status;
}

/** Rows of cells as aligned text, the first row the header. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** One row per scenario: throughput of both servers, their ratio, and memory peaks. */
export function formatReport(report: BenchReport): string {
  const scenarios = [...new Set(report.runs.map((r) => r.associations))].sort((a, b) => a - b);
  const best = scenarios.map((n) => {
    const of = (kind: ServerKind) => bestOf(report.runs.filter((r) => r.server === kind && r.associations === n));
    return { n, orthanc: of('orthanc'), ours: of('ours') };
  });
  const rows = [['scenario', 'Orthanc inst/s', 'Orthanc MB/s', 'ours inst/s', 'ours MB/s', 'ours/Orthanc', 'ours RSS MiB', 'ours PG PSS MiB', 'Orthanc RSS MiB']];
  for (const { n, orthanc, ours } of best) {
    const ratio = orthanc?.instancesPerSecond && ours?.status === 'ok' && orthanc.status === 'ok' ? (ours.instancesPerSecond ?? 0) / orthanc.instancesPerSecond : undefined;
    rows.push([
      `${n} assoc`,
      cell(orthanc, (r) => fixed(r.instancesPerSecond)),
      cell(orthanc, (r) => fixed(r.mbPerSecond, 1)),
      cell(ours, (r) => fixed(r.instancesPerSecond)),
      cell(ours, (r) => fixed(r.mbPerSecond, 1)),
      ratio === undefined ? '—' : ratio.toFixed(2),
      cell(ours, (r) => fixed(peakRss(r.memory))),
      cell(ours, (r) => fixed(r.memory?.descendantsPeakPssMb)),
      cell(orthanc, (r) => fixed(peakRss(r.memory))),
    ]);
  }
  const m = report.machine;
  const cpuRows = report.runs.some((r) => r.cpu) ? cpuTable(best) : undefined;
  const problems = report.runs
    .filter((r) => r.status !== 'ok')
    .map((r) => `  ${r.server}, ${r.associations} assoc, attempt ${r.attempt}: ${r.status}: ${r.reason}`);
  const repeats = Math.max(...report.runs.map((r) => r.attempt));
  return [
    `Ingest benchmark ${report.timestamp}: ${report.corpus.description}${repeats > 1 ? `; best of ${repeats} runs each` : ''}`,
    '',
    table(rows),
    '',
    ...(cpuRows ? [table(cpuRows), ''] : []),
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}; load average at start ${m.loadAtStart.toFixed(2)}, before each run ${loads(report.runs)}`,
    `node ${m.node}, Orthanc ${m.orthanc ?? 'not run'}, DCMTK ${m.dcmtk}`,
    'RSS: peak of VmRSS sampled every 200 ms and VmHWM; PG PSS: peak total PSS of the embedded PostgreSQL processes, sampled every 2 s.',
    ...(cpuRows ? ['CPU: user + system time per instance over the send of the run shown, from /proc: the server process, its PostgreSQL, and the whole machine (storescu included).'] : []),
    ...(problems.length > 0 ? ['', 'problems:', ...problems] : []),
  ].join('\n');
}

/** CPU ms per instance of the runs the first table shows. */
function cpuTable(best: { n: number; orthanc?: RunResult; ours?: RunResult }[]): string[][] {
  const rows = [['scenario', 'Orthanc CPU ms/inst', 'ours CPU ms/inst', 'ours PG ms/inst', 'machine ms/inst (Orthanc)', 'machine ms/inst (ours)']];
  const cpuOf = (run: RunResult | undefined, pick: (c: CpuPerInstance) => number) => cell(run, (r) => (r.cpu ? fixed(pick(r.cpu), 2) : '—'));
  for (const { n, orthanc, ours } of best) {
    rows.push([
      `${n} assoc`,
      cpuOf(orthanc, (c) => c.serverMs + c.helpersMs),
      cpuOf(ours, (c) => c.serverMs + c.helpersMs),
      cpuOf(ours, (c) => c.helpersMs),
      cpuOf(orthanc, (c) => c.machineMs),
      cpuOf(ours, (c) => c.machineMs),
    ]);
  }
  return rows;
}

function loads(runs: RunResult[]): string {
  return runs.map((r) => r.loadBefore?.toFixed(2) ?? '—').join(', ');
}

/**
 * The fastest of the repetitions, with the highest memory peaks among them: on a shared
 * machine the fastest run is the one least disturbed. Any failed repetition fails the cell.
 */
export function bestOf(runs: RunResult[]): RunResult | undefined {
  const failed = runs.find((r) => r.status !== 'ok');
  if (runs.length === 0 || failed) return failed;
  const best = runs.reduce((a, b) => ((b.instancesPerSecond ?? 0) > (a.instancesPerSecond ?? 0) ? b : a));
  const highest = (pick: (m: MemoryPeaks) => number) => Math.max(...runs.map((r) => (r.memory ? pick(r.memory) : 0)));
  if (!best.memory) return best;
  const memory: MemoryPeaks = {
    ...best.memory,
    sampledPeakRssMb: highest((m) => m.sampledPeakRssMb),
    hwmMb: highest((m) => m.hwmMb),
    descendantsPeakPssMb: highest((m) => m.descendantsPeakPssMb),
  };
  return { ...best, memory };
}

/** The larger of the sampled peak and the kernel's high-water mark. */
function peakRss(memory: MemoryPeaks | undefined): number | undefined {
  return memory ? Math.max(memory.sampledPeakRssMb, memory.hwmMb) : undefined;
}
