// A process and everything it started, read from /proc (Linux): what a stop must leave behind
// is nothing. PostgreSQL backends call setsid(), so a process group says nothing; parents do.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
}

function stat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** The process's command line, arguments joined by spaces ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** `root` and all its living descendants, parents before children. */
export function processTree(root: number): number[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => stat(Number(d))).filter((s): s is ProcStat => s !== null);
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const s of all) if (s.ppid === tree[i] && s.state !== 'Z') tree.push(s.pid);
  return tree.filter((pid) => running(pid));
}

/** Alive and not a zombie (a zombie has exited; only its parent's bookkeeping is left). */
export function running(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z';
}

/** Waits up to `timeoutMs` for every pid to have exited; returns those still running. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(running);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = left.filter(running);
  }
  return left;
}
