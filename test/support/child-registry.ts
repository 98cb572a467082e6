// Children (servers, storescp) and temporary directories that the test process owns: a test
// that fails or is cancelled must not leave a server holding ports, nor gigabytes in /tmp.
import { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const children = new Map<ChildProcess, NodeJS.Signals>();
const tempDirs = new Set<string>();
let installed = false;

function cleanUp(): void {
  // SIGTERM by default, not SIGKILL: the server then stops its embedded PostgreSQL itself.
  for (const [child, signal] of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  if (process.env.PACS_TEST_KEEP_DATA === '1') return;
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Kills the child if it is still running when the test process exits: SIGTERM by default;
 * SIGKILL for a child whose clean stop only saves state that is removed with its directory.
 */
export function trackChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  install();
  children.set(child, signal);
  child.once('exit', () => children.delete(child));
}

/** Removes the directory when the test process exits (kept with PACS_TEST_KEEP_DATA=1). */
export function trackTempDir(dir: string): void {
  install();
  tempDirs.add(dir);
}
