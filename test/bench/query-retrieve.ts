import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { startStorescp } from '../support/dcmtk';
import { freePorts } from './net-util';
import { QrCorpus } from './qr-corpus';
import { FindResult, RetrieveResult, measureFind, measureGet, measureMove, writeStudyQuery } from './qr-dimse';
import { RateResult, StreamResult, WebTarget, measureRate, streamStudy } from './qr-http';
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
  qido?: RateResult;
  seriesMetadata?: RateResult;
  wadoInstance?: RateResult;
  cget?: RetrieveResult;
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

/** QIDO studies by patient name prefix, as a viewer's study list asks; also the scale-out phase's. */
export function measureQidoStudies(web: WebTarget, warmupSeconds = RATE.warmupSeconds, beforeMeasured?: () => Promise<void>): Promise<RateResult> {
  return measureRate(web, () => '/studies?PatientName=BENCH*&limit=50', DICOM_JSON, { ...RATE, warmupSeconds, count: 1000, beforeMeasured });
}

async function measureAll(server: BenchServer, qr: QrCorpus, workDir: string, say: (m: string) => void, run: QrRun): Promise<void> {
  const web: WebTarget = server.web!;
  const [big, , , , small] = qr.series;
  say('  C-FIND…');
  run.find = await measureFind(server, await writeStudyQuery(workDir, 'BENCH'));
  say('  QIDO-RS studies…');
  const sample = await fetch(`${web.base}/studies?PatientName=BENCH*&limit=50`, { headers: { ...web.headers, accept: DICOM_JSON } });
  run.qidoMatches = sample.status === 200 ? ((await sample.json()) as unknown[]).length : 0;
  run.qido = await measureQidoStudies(web);
  say('  series metadata…');
  const metadataPath = `/studies/${qr.studyUid}/series/${big.seriesUid}/metadata`;
  run.seriesMetadata = await measureRate(web, () => metadataPath, DICOM_JSON, { ...RATE, count: 100 });
  say('  WADO-RS instances…');
  const all = qr.series.flatMap((s) => s.instanceUids.map((i) => `/studies/${qr.studyUid}/series/${s.seriesUid}/instances/${i}`));
  // A fixed stride through the study: different instances each request, the same ones for both servers.
  run.wadoInstance = await measureRate(web, (i) => all[(i * 7919) % all.length], MULTIPART_DICOM, { ...RATE, count: 400 });
  say('  C-GET, C-MOVE…');
  run.cget = await measureGet(server, qr.studyUid, small.seriesUid, small.instanceUids.length, workDir);
  run.cmove = await measureMove(server, qr.studyUid, small.seriesUid, small.instanceUids.length, BENCH_AE, path.join(workDir, 'moved'));
  run.cmoveConcurrent = await measureMove(server, qr.studyUid, small.seriesUid, small.instanceUids.length, CONCURRENT_DESTINATION_AE, path.join(workDir, 'moved-concurrent'));
  say('  WADO-RS study retrieve…');
  run.studyRetrieve = await streamStudy(web, qr.studyUid, server.pid);
  say('  ZIP export of the study…');
  run.studyZip = await streamStudy(web, qr.studyUid, server.pid, 'application/zip');
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
  await fs.mkdir(path.join(workDir, 'moved'), { recursive: true });
  await fs.mkdir(path.join(workDir, 'moved-concurrent'), { recursive: true });
  const storescp = await startStorescp(serial, path.join(workDir, 'moved'), BENCH_AE);
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
    await measureAll(server, qr, workDir, say, run);
  } catch (err) {
    run.status = 'failed';
    run.reason = (err as Error).message;
  } finally {
    ctx.current = undefined;
    await server?.stop();
    await storescp.stop();
    await forking.stop();
    await retireStore(ctx, dataDir);
    await fs.rm(workDir, { recursive: true, force: true });
  }
  return run;
}
