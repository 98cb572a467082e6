import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { WebTarget } from './qr-http';

/** One wrk load: what the shared harness's run_wrk prints. */
export interface WrkResult {
  perSecond: number;
  megabytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Socket errors and non-2xx responses, with the first status seen. */
  errors: string[];
}

/** The harness's load: 2 threads, 8 connections, 10 s, no warm-up (../shared/bench/run.sh run_wrk). */
export const WRK_LOAD = { threads: 2, connections: 8, seconds: 10 };

const WRK_SCRIPT = path.join(__dirname, '..', '..', '..', 'test', 'bench', 'wrk-urls.lua');

function runWrk(origin: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { threads, connections, seconds } = WRK_LOAD;
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', WRK_SCRIPT, origin];
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', () => resolve(output));
  });
}

/** Parses the WRKRESULT line of wrk-urls.lua. */
export function parseWrk(output: string): WrkResult {
  const line = output.split('\n').find((l) => l.startsWith('WRKRESULT'));
  if (!line) throw new Error(`wrk printed no result: ${output.trim().split('\n').slice(-2).join(' ')}`);
  const kv = Object.fromEntries(line.split(' ').slice(1).map((p) => p.split('=').map((v, i) => (i === 0 ? v : Number(v))))) as Record<string, number>;
  const seconds = kv.duration_us / 1e6;
  const errors = kv.errors > 0 ? [`${kv.errors} errors (${kv.errors_status} non-2xx)`] : [];
  return {
    perSecond: kv.requests / seconds,
    megabytesPerSecond: kv.bytes / seconds / 1e6,
    p50Ms: kv.p50_us / 1000,
    p99Ms: kv.p99_us / 1000,
    requests: kv.requests,
    errors,
  };
}

/** GETs of `paths` (relative to the DICOMweb root) cycled by wrk with the harness's load. */
export async function measureWrk(web: WebTarget, paths: string[], accept: string, workDir: string): Promise<WrkResult> {
  const root = new URL(web.base);
  const urls = path.join(workDir, `wrk-${Date.now()}.txt`);
  await fs.writeFile(urls, paths.map((p) => `${root.pathname.replace(/\/$/, '')}${p}`).join('\n'));
  const token = web.headers.authorization?.replace(/^Bearer /, '') ?? '';
  return parseWrk(await runWrk(root.origin, { WRK_URLS: urls, WRK_ACCEPT: accept, WRK_TOKEN: token }));
}

/**
 * The first representation a server returns 200 for, as the harness probes WADO-RS: a single
 * `application/dicom` part, else multipart (Orthanc's DICOMweb plugin answers only multipart).
 */
export async function firstAccepted(web: WebTarget, probePath: string, accepts: string[]): Promise<string | undefined> {
  for (const accept of accepts) {
    const res = await fetch(`${web.base}${probePath}`, { headers: { ...web.headers, accept } });
    await res.arrayBuffer();
    if (res.status === 200) return accept;
  }
  return undefined;
}
