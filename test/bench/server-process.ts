import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import { MemoryPeaks, MemorySampler } from './memory-sampler';

/** A server under test: where to send to, how to count what it holds, how to stop it. */
export interface BenchServer {
  readonly aeTitle: string;
  readonly dimsePort: number;
  /** Instances the server reports holding; undefined when it cannot be asked. */
  countInstances(): Promise<number | undefined>;
  /** The server's main process (for memory sampling during one phase). */
  readonly pid?: number;
  /** DICOMweb root (…/dicomweb or …/dicom-web) and the headers every request needs. */
  readonly web?: { base: string; headers: Record<string, string> };
  /** Stops sampling, then the server; returns its memory peaks. */
  stop(): Promise<MemoryPeaks>;
}

/**
 * A child process with its output in a log file, memory sampling from start, and a stop that
 * leaves nothing running (SIGTERM, then SIGKILL on it and on any descendant it left behind).
 */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly sampler: MemorySampler;
  private exited = false;
  private output = '';
  private stopping?: Promise<MemoryPeaks>;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv, readonly logFile: string, cwd?: string) {
    this.child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logFile);
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        log.write(chunk);
        // Only the start-up lines matter for readiness; keep memory flat during a long run.
        if (this.output.length < 64 * 1024) this.output += chunk.toString('utf8');
      });
    }
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      // A server killed by a signal prints nothing itself: say how it ended.
      log.write(`[bench] server process exited (${signal ?? `code ${code}`})\n`);
    });
    this.child.on('error', (err) => {
      // Could not be spawned at all: report it the way an early exit is reported.
      this.exited = true;
      log.write(`spawn failed: ${err.message}\n`);
    });
    // 'close' comes after the last output chunk; 'exit' may come before it.
    this.child.on('close', () => log.end());
    this.sampler = new MemorySampler(this.child.pid!);
    this.sampler.start();
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** Resolves once `pattern` shows in stdout/stderr; rejects if the process exits first. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.exited) throw new Error(`exited before printing ${pattern} (see ${this.logFile})`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms (see ${this.logFile})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Idempotent: later calls return the first call's peaks. */
  stop(graceMs = 20_000): Promise<MemoryPeaks> {
    this.stopping ??= this.stopNow(graceMs);
    return this.stopping;
  }

  private async stopNow(graceMs: number): Promise<MemoryPeaks> {
    const peaks = await this.sampler.stop();
    if (!this.exited) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await this.killLeftovers();
    return peaks;
  }

  /** Descendants (e.g. an embedded PostgreSQL) that outlived the process we started. */
  private async killLeftovers(): Promise<void> {
    // Orphans are re-parented, so check each pid we saw rather than walking the tree again;
    // the command name must still match, so a recycled pid is never touched.
    for (const [pid, comm] of this.sampler.seenDescendants) {
      const now = await fs.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
      if (now.trim() !== comm) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}
