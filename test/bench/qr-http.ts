import { promises as fs } from 'node:fs';
import { MemoryPeaks, MemorySampler, statusKb } from './memory-sampler';

/** A DICOMweb root and its request headers (bearer token for ours, none for Orthanc). */
export interface WebTarget {
  base: string;
  headers: Record<string, string>;
}

export interface RateResult {
  requests: number;
  seconds: number;
  perSecond: number;
  /** Responses other than 200, with their statuses (the first few). */
  errors: string[];
}

/**
 * `count` GETs (or fewer once `maxSeconds` passed) from `concurrency` workers over node's fetch
 * (undici keeps connections alive); each body is read to the end. Before them the same load runs
 * uncounted for `warmupSeconds` (indices after the measured ones), for both servers alike: a
 * fresh Node process, ours and the bench's client, needs about 1,500 QIDO requests before its
 * JIT-compiled code serves them at the steady rate (CPU per request −40 % on both sides), and a
 * PACS serves viewers for days, not its first second. `beforeMeasured` runs between the two
 * (e.g. to start a CPU meter).
 */
export async function measureRate(
  target: WebTarget,
  pathFor: (i: number) => string,
  accept: string,
  opts: { count: number; concurrency: number; maxSeconds: number; warmupSeconds: number; beforeMeasured?: () => Promise<void> },
): Promise<RateResult> {
  const errors: string[] = [];
  const get = async (i: number) => {
    const res = await fetch(`${target.base}${pathFor(i)}`, { headers: { ...target.headers, accept }, signal: AbortSignal.timeout(60_000) });
    await res.arrayBuffer();
    if (res.status !== 200 && errors.length < 5) errors.push(`${res.status} ${pathFor(i)}`);
  };
  await run(get, opts.count + 1, Infinity, opts.concurrency, opts.warmupSeconds);
  await opts.beforeMeasured?.();
  const started = process.hrtime.bigint();
  const done = await run(get, 1, opts.count, opts.concurrency, opts.maxSeconds);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { requests: done, seconds, perSecond: done / seconds, errors };
}

/** Up to `count` calls of `get` with indices from `first`, `concurrency` at a time, until `seconds` pass; returns how many completed. */
async function run(get: (i: number) => Promise<void>, first: number, count: number, concurrency: number, seconds: number): Promise<number> {
  let next = first;
  let done = 0;
  const deadline = Date.now() + seconds * 1000;
  const worker = async () => {
    while (next < first + count && Date.now() < deadline) {
      await get(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}

export interface StreamResult {
  status: number;
  bytes: number;
  seconds: number;
  memory?: MemoryPeaks;
  /** The server's VmRSS just before the request, MiB. */
  rssBeforeMb?: number;
}

/**
 * Streams a whole-study WADO-RS retrieve and drops the bytes, sampling the server's memory
 * every 50 ms meanwhile. VmHWM is reset first (clear_refs 5), so the peak is this retrieve's.
 */
export async function streamStudy(target: WebTarget, studyUid: string, pid: number | undefined, accept = 'multipart/related; type="application/dicom"'): Promise<StreamResult> {
  const rssBeforeKb = pid ? await statusKb(pid, 'VmRSS') : 0;
  const rssBeforeMb = rssBeforeKb > 0 ? rssBeforeKb / 1024 : undefined;
  if (pid) await fs.writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);
  const sampler = pid ? new MemorySampler(pid, 50) : undefined;
  sampler?.start();
  const started = process.hrtime.bigint();
  const res = await fetch(`${target.base}/studies/${studyUid}`, {
    headers: { ...target.headers, accept },
    signal: AbortSignal.timeout(600_000),
  });
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { status: res.status, bytes, seconds, memory: await sampler?.stop(), rssBeforeMb };
}
