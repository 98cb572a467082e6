import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { startStorescp } from '../support/dcmtk';
import { freePorts } from './net-util';
import { QrCorpus } from './qr-corpus';
import { FIND_PREFIX } from './corpus';
import { InstanceUids, corpusUids } from './corpus-uids';
import { FindResult, RetrieveResult, measureFind, measureGet, measureMove, studyFindKeys } from './qr-dimse';
import { RateResult, StreamResult, WebTarget, measureRate, streamStudy } from './qr-http';
import { WrkResult, firstAccepted, measureWrk } from './qr-wrk';
import { ServerKind } from './report';
import { BenchContext, countStored, retireStore, startServer } from './scenario';
import { BenchServer } from './server-process';
import { BENCH_AE, CONCURRENT_DESTINATION_AE } from './pacs-server';
import { sendCorpus } from './storescu-runner';

/** Every figure of one server's query/retrieve phase; absent figures could not be measured. */
export interface QrRun {
  server: ServerKind;
  status: 'ok' | 'failed';
  reason?: string;
  stored?: number;
  /** Studies in one QIDO response (a check that both servers answer the same query alike). */
  qidoMatches?: number;
  find?: FindResult;
  qido?: WrkResult;
  studyMetadata?: WrkResult;
  wadoInstance?: WrkResult;
  /** The Accept of the WADO-RS instance load: the first the server answers 200 to. */
  wadoAccept?: string;
  cget?: RetrieveResult;
  /** C-MOVE to movescu itself as the receiver, as the shared harness does. */
  cmove?: RetrieveResult;
  /** C-MOVE to a destination that takes concurrent associations (ours: moveAssociations 2). */
  cmoveConcurrent?: RetrieveResult;
  studyRetrieve?: StreamResult;
  /** The same study as a ZIP with a DICOMDIR (Accept: application/zip). */
  studyZip?: StreamResult;
}

const RATE = { concurrency: 4, maxSeconds: 20, warmupSeconds: 4 };
const DICOM_JSON = 'application/dicom+json';
const MULTIPART_DICOM = 'multipart/related; type="application/dicom"';
/** The shared harness's probe order for WADO-RS instance GETs. */
const INSTANCE_ACCEPTS = ['application/dicom', MULTIPART_DICOM, `${MULTIPART_DICOM}; transfer-syntax=*`];
/** How many instance URLs the WADO-RS load cycles through, spread evenly over the corpus. */
const INSTANCE_URLS = 200;
const QIDO_STUDIES = `/studies?PatientName=${FIND_PREFIX}*&limit=50`;

/** QIDO studies by patient name prefix, as a viewer's study list asks; the scale-out phase's (CPU per request). */
export function measureQidoStudies(web: WebTarget, warmupSeconds = RATE.warmupSeconds, beforeMeasured?: () => Promise<void>): Promise<RateResult> {
  return measureRate(web, () => QIDO_STUDIES, DICOM_JSON, { ...RATE, warmupSeconds, count: 1000, beforeMeasured });
}

const instancePath = (u: InstanceUids) => `/studies/${u.studyUid}/series/${u.seriesUid}/instances/${u.sopInstanceUid}`;

/** Every `step`-th instance of the corpus, as the harness's `urls … instance 200`. */
function spreadInstances(uids: InstanceUids[]): string[] {
  const step = Math.max(1, Math.floor(uids.length / INSTANCE_URLS));
  return uids.filter((_, i) => i % step === 0).slice(0, INSTANCE_URLS).map(instancePath);
}

/** The HTTP figures, with wrk under the shared harness's load (../shared/bench/run.sh). */
async function measureWeb(web: WebTarget, uids: InstanceUids[], workDir: string, say: (m: string) => void, run: QrRun): Promise<void> {
  say('  QIDO-RS studies…');
  const sample = await fetch(`${web.base}${QIDO_STUDIES}`, { headers: { ...web.headers, accept: DICOM_JSON } });
  run.qidoMatches = sample.status === 200 ? ((await sample.json()) as unknown[]).length : 0;
  run.qido = await measureWrk(web, [QIDO_STUDIES], DICOM_JSON, workDir);
  say('  study metadata…');
  const studies = [...new Set(uids.map((u) => u.studyUid))];
  run.studyMetadata = await measureWrk(web, studies.map((s) => `/studies/${s}/metadata`), DICOM_JSON, workDir);
  say('  WADO-RS instances…');
  const instances = spreadInstances(uids);
  run.wadoAccept = await firstAccepted(web, instances[0], INSTANCE_ACCEPTS);
  if (!run.wadoAccept) throw new Error(`no Accept of ${INSTANCE_ACCEPTS.join(' | ')} gave 200 for a WADO-RS instance`);
  run.wadoInstance = await measureWrk(web, instances, run.wadoAccept, workDir);
}

async function measureAll(server: BenchServer, qr: QrCorpus, uids: InstanceUids[], receiverPort: number, workDir: string, say: (m: string) => void, run: QrRun): Promise<void> {
  say('  C-FIND…');
  run.find = await measureFind(server, studyFindKeys(FIND_PREFIX));
  await measureWeb(server.web!, uids, workDir, say, run);
  say('  C-GET, C-MOVE…');
  // The corpus's first study (100 instances), at study level, as the harness retrieves it.
  const study = uids[0].studyUid;
  const count = uids.filter((u) => u.studyUid === study).length;
  run.cget = await measureGet(server, study, count, workDir);
  run.cmove = await measureMove(server, study, count, BENCH_AE, path.join(workDir, 'moved'), receiverPort);
  run.cmoveConcurrent = await measureMove(server, study, count, CONCURRENT_DESTINATION_AE, path.join(workDir, 'moved-concurrent'));
  say('  WADO-RS study retrieve…');
  run.studyRetrieve = await streamStudy(server.web!, qr.studyUid, server.pid);
  say('  ZIP export of the study…');
  run.studyZip = await streamStudy(server.web!, qr.studyUid, server.pid, 'application/zip');
}

/**
 * One server's query/retrieve phase: a fresh store receives the ingest corpus and the QR study
 * (4 associations), then each figure is measured against the same data.
 */
export async function runQueryRetrieve(ctx: BenchContext, qr: QrCorpus, kind: ServerKind, say: (m: string) => void): Promise<QrRun> {
  const name = `${ctx.runId}-${kind}-qr`;
  const dataDir = kind === 'orthanc' ? path.join(ctx.benchDir, 'orthanc', `db-${name}`) : path.join(ctx.benchDir, `pacs-${name}`);
  const workDir = path.join(ctx.benchDir, `work-${name}`);
  await fs.mkdir(workDir, { recursive: true });
  const [serial, concurrent] = await freePorts(2);
  await fs.mkdir(path.join(workDir, 'moved-concurrent'), { recursive: true });
  // `serial` is where both servers send C-MOVEs for BENCH: movescu itself listens there.
  const forking = await startStorescp(concurrent, path.join(workDir, 'moved-concurrent'), CONCURRENT_DESTINATION_AE, { fork: true });
  const run: QrRun = { server: kind, status: 'ok' };
  let server: BenchServer | undefined;
  try {
    server = await startServer(ctx, kind, dataDir, path.join(ctx.logDir, `${name}-server.log`), { serial, concurrent });
    ctx.current = { server, dataDir };
    const files = [...ctx.corpus.files, ...qr.files];
    say(`${kind}: query/retrieve phase, storing ${files.length} instances first…`);
    await sendCorpus(server, files, 4, path.join(ctx.logDir, `${name}-storescu.log`));
    run.stored = await countStored(server, files.length);
    if (run.stored !== undefined && run.stored !== files.length) throw new Error(`${run.stored} of ${files.length} instances stored`);
    await measureAll(server, qr, await corpusUids(ctx.corpus.files), serial, workDir, say, run);
  } catch (err) {
    run.status = 'failed';
    run.reason = (err as Error).message;
  } finally {
    ctx.current = undefined;
    await server?.stop();
    await forking.stop();
    await retireStore(ctx, dataDir);
    await fs.rm(workDir, { recursive: true, force: true });
  }
  return run;
}
