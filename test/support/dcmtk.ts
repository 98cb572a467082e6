// DCMTK tools as the real DICOM peers of the end-to-end tests. Every tool runs with
// TCP_NODELAY=1: DCMTK 3.6.7 keeps Nagle on otherwise and each round trip can cost ~40 ms.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { trackChild } from './child-registry';

export interface DcmtkResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AeOptions {
  callingAe?: string; // default TESTSCU (the peer known to the test server)
  calledAe?: string;  // default PACS
  host?: string;      // default 127.0.0.1
  timeoutMs?: number;
}

const dcmtkEnv = (): NodeJS.ProcessEnv => ({ ...process.env, TCP_NODELAY: '1' });

/** Runs a DCMTK tool to completion; rejects when it cannot start or outlives timeoutMs (default 120 s). */
export function runDcmtk(
  tool: string,
  args: string[],
  opts: { timeoutMs?: number; cwd?: string } = {},
): Promise<DcmtkResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { cwd: opts.cwd, env: dcmtkEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('latin1').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('latin1').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${tool} timed out after ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${tool} could not start (${err.message}); run scripts/ensure-test-deps.sh`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

function aeArgs(opts: AeOptions): string[] {
  return ['-aet', opts.callingAe ?? 'TESTSCU', '-aec', opts.calledAe ?? 'PACS'];
}

export function echoscu(port: number, opts: AeOptions = {}): Promise<DcmtkResult> {
  const args = ['-v', ...aeArgs(opts), opts.host ?? '127.0.0.1', String(port)];
  return runDcmtk('echoscu', args, { timeoutMs: opts.timeoutMs });
}

/**
 * Sends files with `storescu -v`. By default storescu proposes uncompressed syntaxes only and
 * converts; pass `-xy` (JPEG baseline), `-xr` (RLE) or `-xd` (deflated) in extraArgs to send
 * such files as they are. `statuses` holds one C-STORE response status per file answered.
 */
export async function storescu(
  port: number,
  files: string[],
  opts: AeOptions & { extraArgs?: string[] } = {},
): Promise<DcmtkResult & { statuses: string[] }> {
  const args = ['-v', ...aeArgs(opts), ...(opts.extraArgs ?? []), opts.host ?? '127.0.0.1', String(port), ...files];
  const result = await runDcmtk('storescu', args, { timeoutMs: opts.timeoutMs });
  return { ...result, statuses: parseStoreStatuses(`${result.stdout}\n${result.stderr}`) };
}

/**
 * With -v, storescu prints DU_cstoreStatusString(status) (dcmnet/libsrc/diutil.cc), which names
 * some codes exactly and others only by their class: the high byte for Out of Resources
 * (A7xx) and Data Set mismatch (A9xx), the high nibble for Cannot Understand (Cxxx).
 */
const STORE_STATUS_NAMES: Record<string, string> = {
  'Success': '0x0000',
  'Refused: SOPClassNotSupported': '0x0122',
  'Warning: CoercionOfDataElements': '0xb000',
  'Warning: DataSetDoesNotMatchSOPClass': '0xb007',
  'Warning: ElementsDiscarded': '0xb006',
  'Refused: OutOfResources': '0xa700',
  'Error: DataSetDoesNotMatchSOPClass': '0xa900',
  'Error: CannotUnderstand': '0xc000',
};

function hex4(value: string): string {
  return `0x${parseInt(value, 16).toString(16).padStart(4, '0')}`;
}

/**
 * C-STORE response statuses, in order, as lowercase `0x` + 4 hex digits. Reads the exact code
 * from debug output (`-d`: "DIMSE Status : 0xA700: ...") when present, else the -v lines
 * ("Received Store Response (Refused: OutOfResources)"), where A7xx reads as 0xa700 etc.
 */
export function parseStoreStatuses(output: string): string[] {
  const exact = [...output.matchAll(/DIMSE Status\s*:\s*0x([0-9a-f]{1,4})/gi)].map((m) => hex4(m[1]));
  if (exact.length > 0) return exact;
  return [...output.matchAll(/Received Store Response \(([^)\r\n]+)\)/g)].map((m) => {
    const unknown = /^Unknown Status: 0x([0-9a-f]+)$/i.exec(m[1]);
    if (unknown) return hex4(unknown[1]);
    return STORE_STATUS_NAMES[m[1]] ?? `unknown(${m[1]})`;
  });
}

function waitForListener(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export interface Storescp {
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts a DCMTK storescp (a C-MOVE destination) that accepts every transfer syntax it knows
 * and writes received files into `dir` as `<modality>.<SOP Instance UID>`.
 */
export async function startStorescp(port: number, dir: string, aeTitle: string, opts: { fork?: boolean; extraArgs?: string[] } = {}): Promise<Storescp> {
  // --fork: a child process per association, so several are served at once.
  const args = ['-v', '+xa', ...(opts.fork ? ['--fork'] : []), ...(opts.extraArgs ?? []), '-aet', aeTitle, '-od', dir, String(port)];
  const child = spawn('storescp', args, {
    env: dcmtkEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let output = '';
  child.stdout.setEncoding('latin1').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('latin1').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`storescp could not start (${err.message})`)));
    void exited.then(() => reject(new Error(`storescp exited early:\n${output}`)));
  });
  failed.catch(() => undefined); // after start-up, exiting on stop() is expected
  await Promise.race([waitForListener(port, Date.now() + 10_000), failed]);
  return {
    pid: child.pid ?? -1,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface QrResult extends DcmtkResult {
  /** Status of the last (final) response, lowercase `0x` + 4 hex digits ('' when none came). */
  status: string;
  /** Pending C-FIND identifiers: tag "(gggg,eeee)" (lowercase) → value (UTF-8 decoded, trimmed). */
  matches: Record<string, string>[];
  /** Every DIMSE status seen in responses, in order. */
  statuses: string[];
}

/** Q/R options: root model (-P patient, -S study; default study), keys as `gggg,eeee=value`. */
export interface QrOptions extends AeOptions {
  root?: 'patient' | 'study';
  keys?: string[];
  /** An identifier file (e.g. from dump2dcm) instead of / besides -k keys. */
  queryFile?: string;
  extraArgs?: string[];
}

function qrArgs(opts: QrOptions): string[] {
  return [
    '-d',
    opts.root === 'patient' ? '-P' : '-S',
    ...aeArgs(opts),
    ...(opts.extraArgs ?? []),
    ...(opts.keys ?? []).flatMap((k) => ['-k', k]),
  ];
}

/** Reads DCMTK debug output: each DIMSE status, and the identifiers of pending find responses. */
export function parseQrOutput(output: string): { statuses: string[]; matches: Record<string, string>[] } {
  const statuses = [...output.matchAll(/DIMSE Status\s*:\s*0x([0-9a-f]{1,4})/gi)].map((m) => hex4(m[1]));
  const matches: Record<string, string>[] = [];
  // -v prints "Find Response: 1 (Pending)", -d "Received Find Response 1"; the final one has no number.
  for (const block of output.split(/Find Response:? \d+/).slice(1)) {
    const match: Record<string, string> = {};
    let seen = false;
    for (const line of block.split(/\r?\n/)) {
      if (seen && /^\S: ?$/.test(line)) break;
      const m = /^\S: +(\([0-9a-f]{4},[0-9a-f]{4}\)) \S\S (?:\[(.*?)\]|\(no value available\)|=(\S+))/i.exec(line);
      if (!m) continue;
      seen = true;
      match[m[1].toLowerCase()] = Buffer.from(m[2] ?? m[3] ?? '', 'latin1').toString('utf8').replace(/\0+$/, '').trim();
    }
    matches.push(match);
  }
  return { statuses, matches };
}

async function qr(tool: string, port: number, opts: QrOptions, more: string[] = []): Promise<QrResult> {
  const args = [...qrArgs(opts), ...more, opts.host ?? '127.0.0.1', String(port), ...(opts.queryFile ? [opts.queryFile] : [])];
  const result = await runDcmtk(tool, args, { timeoutMs: opts.timeoutMs });
  const parsed = parseQrOutput(`${result.stdout}\n${result.stderr}`);
  return { ...result, ...parsed, status: parsed.statuses.at(-1) ?? '' };
}

/** C-FIND with `findscu -d`; `matches` holds every pending response identifier. */
export function findscu(port: number, opts: QrOptions): Promise<QrResult> {
  return qr('findscu', port, opts);
}

/** C-MOVE with `movescu -d` to `destination` (an AE the server knows as a peer). */
export function movescu(port: number, destination: string, opts: QrOptions): Promise<QrResult> {
  return qr('movescu', port, opts, ['-aem', destination]);
}

/** C-GET with `getscu -d`; received instances are written into `dir`. */
export function getscu(port: number, dir: string, opts: QrOptions): Promise<QrResult> {
  return qr('getscu', port, opts, ['-od', dir]);
}
