import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { BENCH_AE } from './pacs-server';

export interface SendResult {
  seconds: number;
  exitCodes: number[];
  /** storescu error lines (refused association, failed stores, non-success statuses). */
  failures: string[];
}

/** Running storescu processes, so an interrupted bench can end them before the server. */
const running = new Set<ChildProcess>();

export function killSenders(): void {
  for (const child of running) child.kill('SIGTERM');
}

interface OneSend {
  code: number;
  output: string;
}

/**
 * One storescu association carrying `files`. `-nh` keeps going after a failed store so a
 * failure is counted rather than cutting the run short; TCP_NODELAY=1 because DCMTK 3.6.7
 * otherwise keeps Nagle on and every DIMSE round trip can wait ~40 ms.
 */
function storescu(aeTitle: string, port: number, files: string[]): Promise<OneSend> {
  // Timeouts (connect, ACSE, DIMSE; seconds) so a stalled server fails the run instead of hanging it.
  const args = ['-aec', aeTitle, '-aet', BENCH_AE, '-nh', '-to', '30', '-ta', '30', '-td', '120', '127.0.0.1', String(port), ...files];
  return new Promise((resolve, reject) => {
    const child = spawn('storescu', args, { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

/** Splits `files` into `parts` contiguous runs, so each association carries whole series. */
export function split<T>(files: T[], parts: number): T[][] {
  const size = Math.ceil(files.length / parts);
  return Array.from({ length: parts }, (_, i) => files.slice(i * size, (i + 1) * size)).filter((p) => p.length > 0);
}

/**
 * Sends the corpus over `associations` parallel storescu processes and times it from the first
 * spawn to the last exit: association set-up and storescu reading its input files count, for
 * every server alike.
 */
export async function sendCorpus(
  target: { aeTitle: string; dimsePort: number },
  files: string[],
  associations: number,
  logFile: string,
): Promise<SendResult> {
  const started = process.hrtime.bigint();
  const sends = await Promise.all(split(files, associations).map((part) => storescu(target.aeTitle, target.dimsePort, part)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const outputs = sends.map((s, i) => `--- association ${i + 1}: exit ${s.code}\n${s.output}`);
  await fs.writeFile(logFile, outputs.join('\n'));
  const failures = sends.flatMap((s) => s.output.split('\n').filter((line) => /^(E|F):/.test(line)));
  return { seconds, exitCodes: sends.map((s) => s.code), failures };
}
