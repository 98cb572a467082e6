import { promises as fs } from 'node:fs';

/**
 * Samples a server's memory from /proc while it ingests. The main process is reported as its
 * own RSS (VmRSS sampled, VmHWM at the end). Helper processes below it (the embedded
 * PostgreSQL: postmaster and backends) are reported as one total of PSS, because their RSS
 * would count the shared buffers once per backend.
 */
export interface MemoryPeaks {
  /** Highest VmRSS seen while sampling, MiB. */
  sampledPeakRssMb: number;
  /** Kernel's high-water mark (VmHWM) of the main process, MiB; covers the gaps between samples. */
  hwmMb: number;
  /** Highest sum of PSS over descendant processes, MiB (0 when there are none). */
  descendantsPeakPssMb: number;
  descendantCommands: string[];
}

/** A `/proc/<pid>/status` field in kB (VmRSS, VmHWM); 0 when the process is gone. */
export async function statusKb(pid: number, field: string): Promise<number> {
  try {
    const text = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

async function pssKb(pid: number): Promise<number> {
  try {
    const text = await fs.readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * The fields of a /proc/<pid>/stat line after the command (field 3, the state, onwards). The
 * command sits in parentheses and may contain spaces and parentheses; the fields after it do not.
 */
export function fieldsAfterCommand(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Parent pid and command name of every process, from /proc/<pid>/stat. */
async function processTable(): Promise<Map<number, { ppid: number; comm: string }>> {
  const table = new Map<number, { ppid: number; comm: string }>();
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(fieldsAfterCommand(stat)[1]);
      table.set(Number(entry), { ppid, comm });
    } catch {
      // The process ended between readdir and readFile.
    }
  }
  return table;
}

/** Every live process below `root`, with its command name. */
export async function descendantsOf(root: number): Promise<Map<number, string>> {
  const table = await processTable();
  const found = new Map<number, string>();
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, info] of table) {
      if (frontier.includes(info.ppid) && !found.has(pid)) {
        found.set(pid, info.comm);
        next.push(pid);
      }
    }
    frontier = next;
  }
  return found;
}

/**
 * Walking /proc for descendants costs ~30 ms of CPU and reading PSS a few more during a
 * four-association ingest; every 200 ms that would be 15-30 % of one of two cores, taken from
 * whichever server is measured. The main process's RSS stays cheap to sample often
 * (and VmHWM covers the gaps); the helper processes (PostgreSQL's, started once and pooled) are
 * looked up and weighed at most every PSS_INTERVAL_MS.
 */
const PSS_INTERVAL_MS = 2000;

export class MemorySampler {
  private timer?: NodeJS.Timeout;
  private peakRssKb = 0;
  private peakPssKb = 0;
  private busy = false;
  private lastPssAt = 0;
  private readonly commands = new Set<string>();
  /** Every descendant ever seen, so a stop can clean up what a crashed server left behind. */
  readonly seenDescendants = new Map<number, string>();

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  /** Takes a last sample and returns the peaks; call before the process is stopped. */
  async stop(): Promise<MemoryPeaks> {
    clearInterval(this.timer);
    await this.sample(true);
    return {
      sampledPeakRssMb: this.peakRssKb / 1024,
      hwmMb: (await statusKb(this.pid, 'VmHWM')) / 1024,
      descendantsPeakPssMb: this.peakPssKb / 1024,
      descendantCommands: [...this.commands].sort(),
    };
  }

  private async sample(force = false): Promise<void> {
    // A slow /proc walk must not stack samples on top of each other.
    if (this.busy && !force) return;
    this.busy = true;
    try {
      this.peakRssKb = Math.max(this.peakRssKb, await statusKb(this.pid, 'VmRSS'));
      if (force || Date.now() - this.lastPssAt >= PSS_INTERVAL_MS) await this.sampleDescendants();
    } finally {
      this.busy = false;
    }
  }

  private async sampleDescendants(): Promise<void> {
    this.lastPssAt = Date.now();
    const children = await descendantsOf(this.pid);
    let total = 0;
    for (const [pid, comm] of children) {
      this.seenDescendants.set(pid, comm);
      this.commands.add(comm);
      total += await pssKb(pid);
    }
    this.peakPssKb = Math.max(this.peakPssKb, total);
  }
}
