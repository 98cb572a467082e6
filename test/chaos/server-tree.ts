// The server's process tree as a crash kills it: the node process, its embedded PostgreSQL
// postmaster and every backend (backends call setsid(), so killing a process group misses them;
// GOTCHAS). All get SIGKILL at once, and the next start waits until each is gone.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Running, not a zombie waiting to be reaped (PID 1 here may never reap it). */
export function alive(pid: number): boolean {
  const fields = statFields(pid);
  return fields !== undefined && fields[0] !== 'Z' && fields[0] !== 'X';
}

export function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => Number(statFields(pid)?.[1]) === parent);
}

/** The postmaster named in the cluster's lock file, if the file is there. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Every process of the server's tree: node, its children, the postmaster and its backends. */
export function serverTree(nodePid: number, dataDir: string): number[] {
  const postmaster = postmasterPid(dataDir);
  const pids = new Set<number>([nodePid, ...childrenOf(nodePid)]);
  if (postmaster !== undefined && alive(postmaster)) {
    pids.add(postmaster);
    for (const backend of childrenOf(postmaster)) pids.add(backend);
  }
  return [...pids].filter(alive);
}

/** SIGKILL to the whole tree at once; resolves once none of it runs. Returns how many were killed. */
export async function killServerTree(nodePid: number, dataDir: string): Promise<number> {
  const pids = serverTree(nodePid, dataDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 20_000;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.filter(alive).join(', ')} outlived SIGKILL`);
    await sleep(20);
  }
  return pids.length;
}
