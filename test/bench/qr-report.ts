import { MemoryPeaks } from './memory-sampler';
import { CONCURRENT_MOVE_ASSOCIATIONS } from './pacs-server';
import { StreamResult } from './qr-http';
import { QrRun } from './query-retrieve';

interface Row {
  metric: string;
  unit: string;
  pick: (r: QrRun) => number | undefined;
  /** true: more is better (ratio ours/Orthanc); false: less is better (ratio Orthanc/ours). */
  higherBetter: boolean;
  /** Minimum ratio the issue asks for; undefined: informational. */
  target?: number;
  digits: number;
}

const peak = (m?: MemoryPeaks) => (m ? Math.max(m.sampledPeakRssMb, m.hwmMb) : undefined);
const ok = <T>(v: T | undefined, bad?: boolean) => (bad ? undefined : v);

const wrkOk = (w?: { perSecond: number; errors: string[] }) => ok(w?.perSecond, !!w?.errors.length);
const retrieved = (r?: { seconds: number; received: number }) => ok(r?.seconds, !r?.received);

/** Targets of issue 30, on the shared harness's operations. */
const ROWS: Row[] = [
  { metric: 'C-FIND DOE*, 200 in one association (mean)', unit: 'ms/query', pick: (r) => ok(r.find?.oneAssociationMs, !!r.find?.failures), higherBetter: false, target: 2, digits: 2 },
  { metric: 'C-FIND DOE*, findscu run each (median)', unit: 'ms', pick: (r) => ok(r.find?.newAssociationMedianMs, !!r.find?.failures), higherBetter: false, target: 1.2, digits: 1 },
  { metric: 'C-FIND DOE*, findscu run each (p95)', unit: 'ms', pick: (r) => ok(r.find?.newAssociationP95Ms, !!r.find?.failures), higherBetter: false, digits: 1 },
  { metric: 'QIDO /studies?PatientName=DOE*&limit=50', unit: 'req/s', pick: (r) => wrkOk(r.qido), higherBetter: true, target: 10, digits: 0 },
  { metric: 'study metadata, 100 instances', unit: 'req/s', pick: (r) => wrkOk(r.studyMetadata), higherBetter: true, target: 20, digits: 1 },
  { metric: 'WADO-RS instance, 200 URLs', unit: 'req/s', pick: (r) => wrkOk(r.wadoInstance), higherBetter: true, target: 1.5, digits: 0 },
  { metric: 'C-GET study of 100 (getscu)', unit: 's', pick: (r) => retrieved(r.cget), higherBetter: false, target: 1.5, digits: 2 },
  { metric: 'C-MOVE study of 100 (movescu receives)', unit: 's', pick: (r) => retrieved(r.cmove), higherBetter: false, target: 1, digits: 2 },
  { metric: 'C-MOVE study of 100 to storescp --fork', unit: 's', pick: (r) => retrieved(r.cmoveConcurrent), higherBetter: false, digits: 2 },
  { metric: 'WADO-RS study, 2,000 inst (1 GB)', unit: 's', pick: (r) => ok(r.studyRetrieve?.seconds, r.studyRetrieve?.status !== 200), higherBetter: false, digits: 1 },
  { metric: 'peak RSS during the study retrieve', unit: 'MiB', pick: (r) => peak(r.studyRetrieve?.memory), higherBetter: false, digits: 0 },
  { metric: 'study as ZIP with DICOMDIR (1 GB)', unit: 's', pick: (r) => ok(r.studyZip?.seconds, r.studyZip?.status !== 200), higherBetter: false, digits: 1 },
  { metric: 'peak RSS over idle during the ZIP export', unit: 'MiB over idle', pick: (r) => overIdle(r.studyZip), higherBetter: false, digits: 0 },
];

/** Peak RSS during a retrieve less the RSS just before it: what the retrieve itself holds. */
function overIdle(s?: StreamResult): number | undefined {
  const top = s?.status === 200 ? peak(s.memory) : undefined;
  return top === undefined || s?.rssBeforeMb === undefined ? undefined : top - s.rssBeforeMb;
}

export const RSS_LIMIT_MB = 400;
/** Issue 32: a 1 GB study exported as a ZIP keeps RSS within this of idle. */
export const ZIP_RSS_OVER_IDLE_MB = 100;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c <= 1 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The query/retrieve table: both servers, ours relative to Orthanc (>1 = ours better), target, verdict. */
export function formatQrReport(runs: QrRun[]): string {
  const orthanc = runs.find((r) => r.server === 'orthanc');
  const ours = runs.find((r) => r.server === 'ours');
  const rows = [['metric', 'unit', 'Orthanc', 'ours', 'advantage', 'target', 'met']];
  for (const row of ROWS) {
    const o = orthanc && row.pick(orthanc);
    const u = ours && row.pick(ours);
    const ratio = o !== undefined && u !== undefined ? (row.higherBetter ? u / o : o / u) : undefined;
    let target = row.target === undefined ? '—' : `≥${row.target}×`;
    let met = row.target === undefined || ratio === undefined ? '—' : ratio >= row.target ? 'yes' : 'NO';
    if (row.unit === 'MiB') {
      target = `ours <${RSS_LIMIT_MB}`;
      met = u === undefined ? '—' : u < RSS_LIMIT_MB ? 'yes' : 'NO';
    }
    if (row.unit === 'MiB over idle') {
      target = `ours <${ZIP_RSS_OVER_IDLE_MB}`;
      met = u === undefined ? '—' : u < ZIP_RSS_OVER_IDLE_MB ? 'yes' : 'NO';
    }
    const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(row.digits));
    rows.push([row.metric, row.unit, fmt(o), fmt(u), ratio === undefined ? '—' : `${ratio.toFixed(2)}×`, target, met]);
  }
  const problems = runs
    .flatMap((r) => [
      r.status !== 'ok' ? `${r.server}: ${r.reason}` : '',
      ...[r.qido, r.studyMetadata, r.wadoInstance].flatMap((x) => x?.errors ?? []).map((e) => `${r.server}: HTTP ${e}`),
      r.find?.failures ? `${r.server}: ${r.find.failures} findscu runs failed` : '',
      r.cget?.failures ? `${r.server}: ${r.cget.failures} getscu runs failed or lost instances` : '',
      r.cmove?.failures ? `${r.server}: ${r.cmove.failures} movescu runs failed or lost instances` : '',
      r.cmoveConcurrent?.failures ? `${r.server}: ${r.cmoveConcurrent.failures} movescu runs to the concurrent destination failed or lost instances` : '',
    ])
    .filter(Boolean);
  const matches = runs.map((r) => `${r.server}: C-FIND ${r.find?.matches ?? '—'} studies, QIDO ${r.qidoMatches ?? '—'} studies`).join('; ');
  return [
    'Query/retrieve benchmark, the shared harness\'s operations: both servers hold the ingest corpus (20 studies of 100 CT',
    'instances, 18 of them DOE*) plus one 2,000-instance CT study; HTTP by wrk (2 threads, 8 connections, 10 s);',
    'C-GET and C-MOVE median of 3; advantage >1 means ours is better.',
    '',
    table(rows),
    '',
    `WADO-RS instance Accept: ${runs.map((r) => `${r.server} ${r.wadoAccept ?? '—'}`).join('; ')}.`,
    'C-MOVE destinations: movescu itself (one association), as the harness; storescp --fork, to which ours',
    `opens ${CONCURRENT_MOVE_ASSOCIATIONS} associations per C-MOVE (peer moveAssociations) and Orthanc one (it has no such setting).`,
    `matches per query: ${matches}`,
    ...(problems.length > 0 ? ['', 'problems:', ...problems.map((p) => `  ${p}`)] : []),
  ].join('\n');
}
