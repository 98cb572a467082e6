import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { descendantsOf, fieldsAfterCommand } from './memory-sampler';

/**
 * CPU time per stored instance over one run, read from /proc before and after the send: the
 * server's main process (all its threads), the processes below it (the embedded PostgreSQL's
 * postmaster and backends; Orthanc has none) and the whole machine (storescu and the bench
 * included). On two cores shared with the senders, throughput follows the machine's CPU per
 * instance, so these say where a ratio comes from (docs/benchmarks.md, "Known gaps").
 */
export interface CpuPerInstance {
  /** The server's own process, ms per instance. */
  serverMs: number;
  /** Its descendants alive at the end of the run, ms per instance. */
  helpersMs: number;
  /**
   * Of helpersMs, the PostgreSQL processes; the rest are worker processes (PACS_WORKERS > 1,
   * where the main process is the cluster primary and serves nothing itself).
   */
  postgresMs: number;
  /** Every CPU of the machine, busy (not idle, iowait or steal), ms per instance. */
  machineMs: number;
}

interface Reading {
  server: number;
  helpers: Map<number, number>;
  /** The helpers named `postgres` (postmaster and backends). */
  postgres: Set<number>;
  machine: number;
}

let clockTicksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc's CPU times (100 on every Linux this runs on; asked, not assumed). */
function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    const asked = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clockTicksPerSecond = asked > 0 ? asked : 100;
  }
  return clockTicksPerSecond;
}

/** utime + stime of a process (all threads), in ticks; undefined once it has gone. */
export async function processTicks(pid: number): Promise<number | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return ticksOfStat(stat);
  } catch {
    return undefined;
  }
}

/** CPU time used so far by the processes that are still alive, in ms (e.g. Ceph's daemons). */
export async function cpuMsOf(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) ticks += (await processTicks(pid)) ?? 0;
  return (ticks * 1000) / ticksPerSecond();
}

/** Fields 14 and 15 of /proc/<pid>/stat (utime, stime). */
export function ticksOfStat(stat: string): number {
  const fields = fieldsAfterCommand(stat);
  return Number(fields[11]) + Number(fields[12]);
}

/** The machine's busy ticks from the first line of /proc/stat: user, nice, system, irq, softirq. */
export function busyTicksOfProcStat(procStat: string): number {
  const [user, nice, system, , , irq, softirq] = procStat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq;
}

async function read(pid: number): Promise<Reading> {
  const helpers = new Map<number, number>();
  const postgres = new Set<number>();
  for (const [child, command] of await descendantsOf(pid)) {
    const ticks = await processTicks(child);
    if (ticks === undefined) continue;
    helpers.set(child, ticks);
    if (command === 'postgres') postgres.add(child);
  }
  return { server: (await processTicks(pid)) ?? 0, helpers, postgres, machine: busyTicksOfProcStat(await fs.readFile('/proc/stat', 'utf8')) };
}

/** Started right before the send; `stop` right after it, while the server still runs. */
export class CpuMeter {
  private constructor(
    private readonly pid: number,
    private readonly before: Reading,
  ) {}

  static async start(pid: number): Promise<CpuMeter> {
    return new CpuMeter(pid, await read(pid));
  }

  async stop(instances: number): Promise<CpuPerInstance> {
    return perInstance(this.before, await read(this.pid), instances, ticksPerSecond());
  }
}

/** A helper that started during the run counts from zero; one that ended during it is missed. */
export function perInstance(before: Reading, after: Reading, instances: number, hz: number): CpuPerInstance {
  let helpers = 0;
  let postgres = 0;
  for (const [pid, ticks] of after.helpers) {
    const used = ticks - (before.helpers.get(pid) ?? 0);
    helpers += used;
    if (after.postgres.has(pid)) postgres += used;
  }
  const ms = (ticks: number) => (ticks * 1000) / hz / instances;
  return { serverMs: ms(after.server - before.server), helpersMs: ms(helpers), postgresMs: ms(postgres), machineMs: ms(after.machine - before.machine) };
}
