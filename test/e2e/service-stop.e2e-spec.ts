// Starting and stopping the server as an admin does: `npm start` in a terminal, Ctrl-C, `kill`,
// and a crash. Whichever process of the tree gets the signal (npm, node, PostgreSQL), the whole
// tree stops, PostgreSQL last, and the data directory starts again. The first start's banner
// and admin password stay on screen.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackChild, trackTempDir } from '../support/child-registry';
import { http } from '../support/http';
import { freePort } from '../support/ports';
import { commandLine, processTree, waitGone } from '../support/process-tree';
import { repoRoot, startTestServer } from '../support/server';

/** A stopped tree must be gone within this (a graceful stop, then PostgreSQL's fast shutdown). */
const GONE_WITHIN_MS = 20_000;
const BANNER_END = /^ {2}Database {2}.*$/m;

interface NpmServer {
  npm: ChildProcess;
  dataDir: string;
  httpUrl: string;
  output(): string;
  exited: Promise<void>;
}

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pacs-npm-start-'));
  chmodSync(dir, 0o755);
  trackTempDir(dir);
  return dir;
}

/**
 * Runs the README's `npm start` (without its build: --ignore-scripts skips prestart only) in a
 * process group of its own, as a terminal runs a foreground job, on the Node that runs the tests.
 */
async function npmStart(dataDir = newDataDir()): Promise<NpmServer> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [httpPort, dimsePort, pgPort] = [...ports];
  const env: NodeJS.ProcessEnv = { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: process.env.HOME, TCP_NODELAY: '1', npm_config_update_notifier: 'false' };
  Object.assign(env, {
    PACS_DATA_DIR: dataDir,
    PACS_HTTP_HOST: '127.0.0.1',
    PACS_HTTP_PORT: String(httpPort),
    PACS_DIMSE_PORT: String(dimsePort),
    PACS_EMBEDDED_PG_PORT: String(pgPort),
    PACS_JWT_SECRET: randomBytes(32).toString('base64url'),
  });
  const npm = spawn('npm', ['start', '--ignore-scripts'], { cwd: repoRoot(), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(npm);
  let text = '';
  npm.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  npm.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  while (!(BANNER_END.test(text) && (await http(`${httpUrl}/health`).then((r) => r.status === 200, () => false)))) {
    if (npm.exitCode !== null || npm.signalCode !== null) throw new Error(`npm start exited during start-up:\n${text}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready within 60 s:\n${text}`);
    await sleep(100);
  }
  return { npm, dataDir, httpUrl, output: () => text, exited };
}

/** The postmaster's pid, from its lock file. */
function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** Every process of the tree under `root`, with PostgreSQL's backends among them. */
function treeWithBackends(root: number, dataDir: string): number[] {
  const tree = processTree(root);
  const postmaster = postmasterPid(dataDir);
  assert.ok(tree.includes(postmaster), `the postmaster ${postmaster} belongs to the tree: ${tree.map(commandLine).join('; ')}`);
  assert.ok(tree.some((pid) => /^postgres: pacs pacs/.test(commandLine(pid))), 'the server holds backends');
  return tree;
}

function described(pids: number[]): string {
  return pids.map((pid) => `${pid} ${commandLine(pid)}`).join('; ');
}

describe('stopping and starting like a service', () => {
  it('npm start: the banner is printed last with the admin password just above; kill -TERM of npm stops node, PostgreSQL and its backends', async () => {
    const server = await npmStart();
    await sleep(1_000);
    const output = server.output();
    const lines = output.trimEnd().split('\n');
    assert.match(lines.at(-1)!, BANNER_END, `the banner ends the start-up output:\n${output}`);
    assert.doesNotMatch(output, /Mapped \{|RoutesResolver|InstanceLoader/, 'no per-route or per-module line at info');
    const passwordLine = lines.findIndex((line) => /Created user "admin" with password: \S+ \(shown once\)/.test(line));
    assert.ok(passwordLine >= 0 && lines.length - passwordLine <= 12, `the one-time password stays on screen, close to the banner:\n${output}`);
    const password = /with password: (\S+) /.exec(lines[passwordLine])![1];

    const tree = treeWithBackends(server.npm.pid!, server.dataDir);
    process.kill(server.npm.pid!, 'SIGTERM');
    assert.deepEqual(described(await waitGone(tree, GONE_WITHIN_MS)), '', 'every process of the tree has exited');
    await server.exited;
    assert.match(server.output(), /SIGTERM received, stopping/);

    const again = await startTestServer({ dataDir: server.dataDir, env: { PACS_ADMIN_PASSWORD: 'not-used-on-a-second-start' } });
    try {
      assert.ok(await again.token('admin', password), 'the data directory starts again, with the first start\'s admin');
    } finally {
      await again.stop();
    }
  });

  it('Ctrl-C in the terminal (SIGINT to the whole foreground group) stops the modules first and PostgreSQL last, without errors', async () => {
    const server = await npmStart();
    // A login stages an audit event: the stop must seal it while PostgreSQL still runs.
    const login = await http(`${server.httpUrl}/api/auth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'wrong-password' }),
    });
    assert.equal(login.status, 401);
    const tree = treeWithBackends(server.npm.pid!, server.dataDir);
    process.kill(-server.npm.pid!, 'SIGINT');
    assert.deepEqual(described(await waitGone(tree, GONE_WITHIN_MS)), '', 'every process of the tree has exited');
    await server.exited;
    assert.match(server.output(), /SIGINT received, stopping/);
    assert.doesNotMatch(server.output(), /terminating connection|not sealed|"level":50/, 'nothing lost its database while stopping');
  });

  it('kill -9 of the server: its PostgreSQL and backends stop within seconds, and the next start on the same data works', async () => {
    const server = await startTestServer();
    const tree = treeWithBackends(server.pid, server.dataDir);
    assert.equal((await server.stop('SIGKILL')).code, null);
    assert.deepEqual(described(await waitGone(tree, GONE_WITHIN_MS)), '', 'PostgreSQL did not outlive its server');

    const again = await startTestServer({ dataDir: server.dataDir, env: { PACS_ADMIN_PASSWORD: server.adminPassword } });
    try {
      assert.ok(await again.token());
    } finally {
      await again.stop();
    }
  });

  it('PostgreSQL shut down under the running server: the server stops too, saying why, with exit code 1', async () => {
    const server = await startTestServer();
    const tree = treeWithBackends(server.pid, server.dataDir);
    process.kill(postmasterPid(server.dataDir), 'SIGQUIT');
    assert.deepEqual(described(await waitGone(tree, GONE_WITHIN_MS)), '', 'the server and what is left of PostgreSQL exited');
    assert.equal((await server.stop()).code, 1);
    assert.match(server.logs(), /the embedded PostgreSQL \(pid \d+\) exited \([^)]*\): received immediate shutdown request/);
    assert.match(server.logs(), /database lost, stopping/);
  });
});
