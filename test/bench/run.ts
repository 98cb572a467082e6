import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CorpusShape, ensureCorpus } from './corpus';
import { OrthancInfo, locateOrthanc } from './orthanc-server';
import { locatePacs } from './pacs-server';
import { BenchReport, RunResult, ServerKind, formatReport, machineInfo } from './report';
import { BenchContext, dropRetired, retireStore, runScenario } from './scenario';
import { killSenders } from './storescu-runner';
import { ensureQrCorpus } from './qr-corpus';
import { formatQrReport } from './qr-report';
import { QrRun, runQueryRetrieve } from './query-retrieve';
import { formatAuditComparison, withAuditOff } from './audit-compare';
import { formatWorkersComparison, withWorkers } from './workers-compare';
import { runScaleOut } from './scale-out';
import { ScaleOutResult, formatScaleOut, scaleOutSucceeded } from './scale-out-report';
import { formatScaleReport, runScale, ScaleRun } from './scale';
import { SCALE_SHAPE } from './scale-archive';
import { formatViewerReport, runViewerLoad, ViewerLoadRun } from './viewer-load';

/**
 * `npm run bench`: C-STORE ingest throughput of our server side by side with Orthanc, over one
 * and over four parallel storescu associations, each run into an empty archive.
 *
 * Options: --only=ours|orthanc (one server), --associations=1,4, --repeat=N (best of N runs per
 * cell; default 2), --keep-data (keep the stores), --phases=ingest,qr,scaleout (default all three;
 * qr is the query/retrieve phase: C-FIND, QIDO-RS, metadata, WADO-RS, C-GET, C-MOVE, RSS, see
 * query-retrieve.ts; scaleout is ours with 1 and 2 workers, on the filesystem and on S3, see
 * scale-out.ts), --no-audit-off (skip the extra run of ours with PACS_AUDIT_ENABLED=false that
 * shows what the audit trail costs), --phases=scale (not in the default: ours over an archive of a
 * million instances, query latency and ingest against an empty archive, see scale.ts;
 * --scale-studies=N for a smaller archive), viewer (OHIF in headless Chromium opening the QR
 * study's 500-instance series until every frame is loaded, see viewer-load.ts).
 */

/** The shared harness's corpus: 20 CT studies of 2 series × 50 (../shared/bench/gen_corpus.py). */
const SHAPE: CorpusShape = { studies: 20, seriesPerStudy: 2, instancesPerSeries: 50, rows: 512, columns: 512 };

/** Best of 2 evens out other work on a shared machine; more repetitions only within budget. */
const DEFAULT_REPEAT = 2;
/** No ingest repetition starts after this, so the whole bench (three phases) stays near 15 minutes. */
const REPEAT_BUDGET_MS = 4 * 60_000;

const PHASES = ['ingest', 'qr', 'scaleout', 'scale', 'viewer'] as const;
type Phase = (typeof PHASES)[number];
const DEFAULT_PHASES = 'ingest,qr,scaleout,viewer';

interface Options {
  servers: ServerKind[];
  associations: number[];
  repeat: number;
  keepData: boolean;
  phases: Phase[];
  auditOff: boolean;
  scaleStudies: number;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const only = value('only');
  if (only && only !== 'ours' && only !== 'orthanc') throw new Error(`--only must be ours or orthanc, not ${only}`);
  const associations = (value('associations') ?? '1,4').split(',').map(Number);
  if (associations.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--associations takes positive integers, e.g. 1,4');
  const repeat = Number(value('repeat') ?? DEFAULT_REPEAT);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat takes a positive integer');
  const phases = (value('phases') ?? DEFAULT_PHASES).split(',') as Phase[];
  if (phases.some((p) => !PHASES.includes(p))) throw new Error(`--phases takes some of ${PHASES.join(',')}`);
  const scaleStudies = Number(value('scale-studies') ?? SCALE_SHAPE.studies);
  if (!Number.isInteger(scaleStudies) || scaleStudies < 10) throw new Error('--scale-studies takes an integer of at least 10');
  return {
    servers: only ? [only as ServerKind] : ['orthanc', 'ours'],
    associations,
    repeat,
    keepData: argv.includes('--keep-data'),
    phases,
    auditOff: !argv.includes('--no-audit-off'),
    scaleStudies,
  };
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

function say(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** The scale-out phase also needs Ceph's radosgw, which the tests install. */
function ensureDeps(root: string, phases: Phase[]): void {
  execFileSync('bash', [path.join(root, 'scripts', 'ensure-bench-deps.sh')], { stdio: 'inherit' });
  if (phases.includes('scaleout')) execFileSync('bash', [path.join(root, 'scripts', 'ensure-test-deps.sh')], { stdio: 'inherit' });
}

/** Orthanc is optional when only our server is measured. */
function findOrthanc(servers: ServerKind[]): OrthancInfo | undefined {
  try {
    return locateOrthanc();
  } catch (err) {
    if (servers.includes('orthanc')) throw err;
    return undefined;
  }
}

async function prepare(options: Options, runId: string): Promise<BenchContext> {
  const pacs = locatePacs();
  ensureDeps(pacs.root, options.phases);
  const benchDir = path.join(pacs.root, '.bench');
  const logDir = path.join(benchDir, 'logs');
  await fs.mkdir(logDir, { recursive: true });
  const started = Date.now();
  const corpus = await ensureCorpus(path.join(benchDir, 'corpus'), SHAPE);
  const how = corpus.reused ? 'reused' : `generated in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  say(`corpus: ${corpus.files.length} CT instances, ${(corpus.bytes / 1e6).toFixed(0)} MB, ${how} (${corpus.dir})`);
  return { benchDir, logDir, runId, corpus, pacs, orthanc: findOrthanc(options.servers), keepData: options.keepData, retired: [] };
}

async function runAll(ctx: BenchContext, options: Options, auditOffRuns: RunResult[] = [], workerRuns: RunResult[] = []): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  const started = Date.now();
  for (let attempt = 1; attempt <= options.repeat; attempt++) {
    if (attempt > 1 && Date.now() - started > REPEAT_BUDGET_MS) {
      say(`skipping runs ${attempt}..${options.repeat}: the bench has run ${REPEAT_BUDGET_MS / 60_000} minutes already`);
      break;
    }
    // Servers alternate within each repetition, so drifting load on the machine hits both alike.
    for (const associations of options.associations) {
      for (const kind of options.servers) runs.push(await runOne(ctx, kind, associations, attempt));
      if (options.auditOff && options.servers.includes('ours')) {
        say('(ours with PACS_AUDIT_ENABLED=false)');
        auditOffRuns.push(await withAuditOff(ctx, () => runOne(ctx, 'ours', associations, attempt)));
      }
      if (associations > 1 && options.servers.includes('ours')) {
        say('(ours with worker processes)');
        workerRuns.push(await withWorkers(ctx, () => runOne(ctx, 'ours', associations, attempt)));
      }
    }
  }
  return runs;
}

async function runOne(ctx: BenchContext, kind: ServerKind, associations: number, attempt: number): Promise<RunResult> {
  say(`${kind}: storing ${ctx.corpus.files.length} instances over ${associations} association(s), run ${attempt}…`);
  const result = await runScenario(ctx, kind, associations, attempt);
  const detail =
    result.status === 'ok'
      ? `${result.instancesPerSecond!.toFixed(0)} instances/s, ${result.mbPerSecond!.toFixed(1)} MB/s (${result.seconds!.toFixed(1)} s, verified by ${result.verifiedBy})`
      : `${result.status}: ${result.reason}`;
  say(`  ${detail}`);
  return result;
}

async function runQr(ctx: BenchContext, options: Options): Promise<QrRun[]> {
  const started = Date.now();
  const qr = await ensureQrCorpus(path.join(ctx.benchDir, 'corpus-qr'));
  const how = qr.reused ? 'reused' : `generated in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  say(`query/retrieve study: ${qr.files.length} CT instances, ${(qr.bytes / 1e6).toFixed(0)} MB, ${how} (${qr.dir})`);
  const runs: QrRun[] = [];
  for (const kind of options.servers) {
    const run = await runQueryRetrieve(ctx, qr, kind, say);
    if (run.status !== 'ok') say(`  failed: ${run.reason}`);
    runs.push(run);
  }
  return runs;
}

async function runViewer(ctx: BenchContext, options: Options): Promise<ViewerLoadRun[]> {
  const qr = await ensureQrCorpus(path.join(ctx.benchDir, 'corpus-qr'));
  const runs: ViewerLoadRun[] = [];
  for (const kind of options.servers) {
    const run = await runViewerLoad(ctx, qr, kind, say);
    if (run.status !== 'ok') say(`  failed: ${run.reason}`);
    runs.push(run);
  }
  return runs;
}

/** Ours only: Orthanc has neither worker processes nor S3 storage to compare. */
async function runScaleOutPhase(ctx: BenchContext, options: Options): Promise<ScaleOutResult | undefined> {
  if (!options.servers.includes('ours')) {
    say('scale-out: skipped, it measures our server only (--only=orthanc)');
    return undefined;
  }
  return runScaleOut(ctx, { repeat: options.repeat, say });
}

/** Stops a running server when the bench is interrupted, so no server outlives it. */
function stopOnSignal(ctx: BenchContext): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping`);
      killSenders();
      const current = ctx.current;
      const stopped = (current ? current.server.stop().then(() => retireStore(ctx, current.dataDir)) : Promise.resolve()).then(() => dropRetired(ctx));
      void stopped.finally(() => process.exit(130));
    });
  }
}

async function main(): Promise<number> {
  // Output piped into a reader that quits (| head) must not crash the bench and orphan a server.
  process.stdout.on('error', () => undefined);
  const options = parseOptions(process.argv.slice(2));
  const loadAtStart = os.loadavg()[0];
  const runId = timestamp();
  const ctx = await prepare(options, runId);
  stopOnSignal(ctx);
  const auditOffRuns: RunResult[] = [];
  const workerRuns: RunResult[] = [];
  const runs = options.phases.includes('ingest') ? await runAll(ctx, options, auditOffRuns, workerRuns) : [];
  const qrRuns = options.phases.includes('qr') ? await runQr(ctx, options) : [];
  const scaleOut = options.phases.includes('scaleout') ? await runScaleOutPhase(ctx, options) : undefined;
  const scaleShape = { ...SCALE_SHAPE, studies: options.scaleStudies, patients: Math.ceil((options.scaleStudies * SCALE_SHAPE.patients) / SCALE_SHAPE.studies) };
  const scale: ScaleRun | undefined = options.phases.includes('scale') ? await runScale(ctx, say, scaleShape) : undefined;
  const viewerRuns = options.phases.includes('viewer') ? await runViewer(ctx, options) : [];
  await dropRetired(ctx);
  const c = ctx.corpus;
  const report: BenchReport = {
    timestamp: runId,
    machine: machineInfo(loadAtStart, ctx.orthancVersion),
    corpus: {
      files: c.files.length,
      bytes: c.bytes,
      reused: c.reused,
      description: `${c.files.length} CT instances (${SHAPE.studies} studies × ${SHAPE.seriesPerStudy} series × ${SHAPE.instancesPerSeries}), ${SHAPE.rows}×${SHAPE.columns}×16 bit, ${(c.bytes / 1e6).toFixed(0)} MB`,
    },
    runs,
  };
  const qrText = qrRuns.length > 0 ? `\n\n${formatQrReport(qrRuns)}` : '';
  const jsonFile = path.join(ctx.benchDir, `results-${runId}.json`);
  await fs.writeFile(jsonFile, `${JSON.stringify({ ...report, workerRuns, queryRetrieve: qrRuns, scaleOut, scale, viewer: viewerRuns }, null, 2)}\n`);
  const ingestText = runs.length > 0 ? `\n${formatReport(report)}` : '';
  const scaleOutText = scaleOut ? `\n\n${formatScaleOut(scaleOut)}` : '';
  const scaleText = scale ? `\n\n${formatScaleReport(scale)}` : '';
  const viewerText = viewerRuns.length > 0 ? `\n\n${formatViewerReport(viewerRuns)}` : '';
  say(`${ingestText}${qrText}${scaleOutText}${scaleText}${viewerText}\n\nresults: ${jsonFile}\nlogs: ${ctx.logDir}`);
  if (auditOffRuns.length > 0) say(`\n${formatAuditComparison(runs, auditOffRuns, options.associations)}`);
  if (workerRuns.length > 0) say(`\n${formatWorkersComparison(runs, workerRuns, options.associations)}`);
  // A slower server is a result; a run that lost instances (or never ran) is a failure.
  return runs.every((r) => r.status === 'ok') && qrRuns.every((r) => r.status === 'ok') && (!scaleOut || scaleOutSucceeded(scaleOut)) && scale?.status !== 'failed' && viewerRuns.every((r) => r.status === 'ok') ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
