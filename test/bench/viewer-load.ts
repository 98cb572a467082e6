import * as path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from '../support/browser';
import { startViewerOrigin, ViewerOrigin } from '../support/viewer-origin';
import { QrCorpus } from './qr-corpus';
import { ServerKind } from './report';
import { BenchContext, countStored, retireStore, startServer } from './scenario';
import { BenchServer } from './server-process';
import { sendCorpus } from './storescu-runner';

/** One server's figures: opening the viewer on the study until every frame of its series is loaded. */
export interface ViewerLoadRun {
  server: ServerKind;
  status: 'ok' | 'failed';
  reason?: string;
  instances?: number;
  /** Best of the tries: from navigation to the first frame answered, and to the last. */
  firstFrameSeconds?: number;
  lastFrameSeconds?: number;
  tries?: number[];
}

const TRIES = 2;
const LOAD_TIMEOUT_MS = 180_000;
/**
 * OHIF loads every frame of the series shown (its study prefetcher), as a reader scrolling
 * through it would need, with at most 10 requests in flight beside the viewport's own.
 */
const PREFETCH = { studyPrefetcher: { enabled: true, displaySetsCount: 1, maxNumPrefetchRequests: 10, order: 'closest' } };

/**
 * The viewer phase: the QR corpus's first 500-instance CT series stored alone in a fresh store of
 * `kind`, then the same OHIF build (dist/viewer, served from a static origin of the bench) in the
 * same headless Chromium opens the study, TRIES times, each in a fresh browser context (no cache)
 * after the app itself was loaded once. Chromium runs with web security off: Orthanc answers no
 * CORS, so both servers are called directly, with the headers the bench's other phases send
 * (our bearer token; Orthanc none), and neither pays for preflights.
 */
export async function runViewerLoad(ctx: BenchContext, qr: QrCorpus, kind: ServerKind, say: (m: string) => void): Promise<ViewerLoadRun> {
  const name = `${ctx.runId}-${kind}-viewer`;
  const dataDir = kind === 'orthanc' ? path.join(ctx.benchDir, 'orthanc', `db-${name}`) : path.join(ctx.benchDir, `pacs-${name}`);
  const series = qr.series[0];
  const files = qr.files.filter((f) => f.includes(`${path.sep}series-1${path.sep}`));
  const run: ViewerLoadRun = { server: kind, status: 'ok', tries: [] };
  let server: BenchServer | undefined;
  let origin: ViewerOrigin | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServer(ctx, kind, dataDir, path.join(ctx.logDir, `${name}-server.log`));
    ctx.current = { server, dataDir };
    say(`${kind}: viewer phase, storing the ${files.length}-instance series…`);
    await sendCorpus(server, files, 4, path.join(ctx.logDir, `${name}-storescu.log`));
    run.instances = await countStored(server, files.length);
    if (run.instances !== undefined && run.instances !== files.length) throw new Error(`${run.instances} of ${files.length} instances stored`);
    origin = await startViewerOrigin();
    origin.configure(server.web!.base, null, PREFETCH);
    browser = await launchChromium(['--disable-web-security']);
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      const { first, last } = await openSeries(browser, origin.origin, server, qr.studyUid, series.seriesUid, series.instanceUids.length);
      say(`  try ${attempt}: first frame ${first.toFixed(1)} s, all ${series.instanceUids.length} frames ${last.toFixed(1)} s`);
      run.tries!.push(last);
      if (run.lastFrameSeconds === undefined || last < run.lastFrameSeconds) Object.assign(run, { firstFrameSeconds: first, lastFrameSeconds: last });
    }
  } catch (err) {
    run.status = 'failed';
    run.reason = (err as Error).message;
  } finally {
    ctx.current = undefined;
    await browser?.close();
    await origin?.close();
    await server?.stop();
    await retireStore(ctx, dataDir);
  }
  return run;
}

/** Seconds from navigating to the study to its series' first and last frame answered 2xx. */
async function openSeries(browser: Browser, origin: string, server: BenchServer, studyUid: string, seriesUid: string, frames: number) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    await page.setExtraHTTPHeaders(server.web!.headers);
    // The app's own files first (17 MB of script), so that the timing is the server's part.
    await page.goto(`${origin}/viewer/`, { waitUntil: 'networkidle0', timeout: 60_000 });
    const loaded = new Set<string>();
    const failed: string[] = [];
    let firstAt = 0;
    let lastAt = 0;
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    page.on('requestfinished', (req) => {
      const url = req.url();
      if (!url.includes(`/series/${seriesUid}/`) || !url.includes('/frames/')) return;
      const status = req.response()?.status() ?? 0;
      if (status >= 300) return void failed.push(`${status} ${url}`);
      loaded.add(url.replace(/\/frames\/.*$/, ''));
      lastAt = performance.now();
      firstAt ||= lastAt;
      if (loaded.size === frames) done();
    });
    page.on('requestfailed', (req) => {
      if (req.url().includes('/frames/')) failed.push(`${req.failure()?.errorText} ${req.url()}`);
    });
    const start = performance.now();
    await page.goto(`${origin}/viewer/viewer?StudyInstanceUIDs=${studyUid}`);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${loaded.size} of ${frames} frames in ${LOAD_TIMEOUT_MS / 1000} s; failed: ${failed.slice(0, 3).join(', ')}`)), LOAD_TIMEOUT_MS).unref());
    await Promise.race([all, timeout]);
    if (failed.length > 0) throw new Error(`${failed.length} frame requests failed: ${failed.slice(0, 3).join(', ')}`);
    return { first: (firstAt - start) / 1000, last: (lastAt - start) / 1000 };
  } finally {
    await context.close();
  }
}

/** The viewer phase's table for the report and docs/benchmarks.md. */
export function formatViewerReport(runs: ViewerLoadRun[]): string {
  const lines = ['Viewer: OHIF 3.13.2 in headless Chromium opens a 500-instance CT series (512×512×16), until every frame is loaded', '', '| Server | First frame | Last frame (best) | Tries |', '|---|---|---|---|'];
  for (const r of runs) {
    lines.push(r.status === 'ok'
      ? `| ${r.server} | ${r.firstFrameSeconds!.toFixed(1)} s | ${r.lastFrameSeconds!.toFixed(1)} s | ${r.tries!.map((t) => t.toFixed(1)).join(', ')} s |`
      : `| ${r.server} | failed: ${r.reason} | | |`);
  }
  const [orthanc, ours] = ['orthanc', 'ours'].map((k) => runs.find((r) => r.server === k && r.status === 'ok'));
  if (orthanc && ours) lines.push('', `ours is ${(orthanc.lastFrameSeconds! / ours.lastFrameSeconds!).toFixed(2)}× as fast as Orthanc to the last frame (target: 1.5×)`);
  return lines.join('\n');
}
