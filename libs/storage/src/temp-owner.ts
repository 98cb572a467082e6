import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** Whether the process that owns temp files is running: only `dead` lets them be swept. */
export type OwnerState = 'alive' | 'dead' | 'unknown';

/** Who owns temp files, and whether another owner still runs. Replaceable in tests. */
export interface TempOwners {
  /** This process's owner id: letters, digits and '-', no '~'. */
  readonly self: string;
  state(owner: string): OwnerState;
}

interface Identity {
  host: string;
  boot: string;
  pidNamespace: string;
  pid: number;
  started: string;
}

/**
 * Owner ids name the machine (host name), its boot, the PID namespace, the process and its
 * start time, so that a temp file's owner can be proved dead without a lease: on the same
 * host, a different boot means the machine restarted since, and in the same boot and PID
 * namespace a process is alive only if its PID runs with the same start time (a reused PID
 * starts later). Another host, or another PID namespace of this host (a second container on a
 * shared volume) cannot be checked from here: `unknown`, never swept.
 */
export class ProcessTempOwners implements TempOwners {
  readonly self: string;
  private readonly me: Identity | undefined;

  constructor() {
    this.me = identityOf();
    this.self = this.me ? format(this.me) : `nolinux-${process.pid}-${Date.now()}`;
  }

  state(owner: string): OwnerState {
    if (owner === this.self) return 'alive';
    const other = parse(owner);
    if (!other || !this.me || other.host !== this.me.host) return 'unknown';
    if (other.boot !== this.me.boot) return 'dead';
    if (other.pidNamespace !== this.me.pidNamespace) return 'unknown';
    try {
      return startTimeOf(String(other.pid)) === other.started ? 'alive' : 'dead';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'dead' : 'unknown';
    }
  }
}

function format(id: Identity): string {
  return [id.host, id.boot, id.pidNamespace, id.pid, id.started].join('-');
}

function parse(owner: string): Identity | undefined {
  const m = /^([0-9a-f]{12})-([0-9a-f]{12})-(\d+)-(\d+)-(\d+)$/.exec(owner);
  return m ? { host: m[1], boot: m[2], pidNamespace: m[3], pid: Number(m[4]), started: m[5] } : undefined;
}

/** This process's identity, read from /proc (Linux); undefined elsewhere. */
function identityOf(): Identity | undefined {
  try {
    const pidNamespace = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    const started = startTimeOf('self');
    if (!started || !pidNamespace) return undefined;
    return { host: shortHash(hostname()), boot: shortHash(boot), pidNamespace, pid: process.pid, started };
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); throws ENOENT when no such process runs. */
function startTimeOf(pid: string): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // counted after the command name, which may itself hold spaces and ')'
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
