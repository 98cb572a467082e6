// Ceph's radosgw as the real S3 server of the tests (issue 29): a throw-away single-node Ceph,
// one mon, one OSD and one radosgw on loopback, all under one temporary run directory (its
// ceph.conf is passed with CEPH_CONF; nothing in /etc/ceph, no systemd). Starts in about 1 s
// with memstore (objects in RAM), about 8 s with bluestore on a sparse file (`persistent`).
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { cephConfig } from './ceph-config';
import { trackChild, trackTempDir } from './child-registry';
import { freePort, freePortRange } from './ports';

export interface RadosgwOptions {
  /** Bluestore on a sparse file in the run directory instead of memstore (RAM): ~7 s more to start. */
  persistent?: boolean;
}

export interface Radosgw {
  /** `http://127.0.0.1:PORT`; use path-style addressing (`forcePathStyle: true`). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Configuration, logs (`*.log`, `*.out`) and data; removed by `stop()`. */
  runDir: string;
  /** How long `startRadosgw` took, for the record. */
  startupMs: number;
  createBucket(name: string): Promise<void>;
  /** Stops radosgw alone: the mon and OSD keep the data, the endpoint refuses connections. */
  stopGateway(): Promise<void>;
  /** Starts radosgw again on the same endpoint and waits until it answers. */
  startGateway(): Promise<void>;
  /** SIGSTOP radosgw: connections are accepted by the kernel and never answered (a hung store). */
  freezeGateway(): void;
  thawGateway(): void;
  /** radosgw, then the OSD, then the mon (SIGKILL after a grace period); removes the run directory. */
  stop(): Promise<void>;
  /** The running daemons' process ids (for CPU accounting). */
  pids(): number[];
}

const REGION = 'us-east-1';
const ACCESS_KEY_ID = 'PACSTESTACCESSKEY001';
const SECRET_ACCESS_KEY = 'pacs-test-secret-key-for-radosgw-only-01';
const GRACE_MS = 5_000;
const READY_TIMEOUT_MS = 60_000;
const TOOL_TIMEOUT_MS = 60_000;

/** Starts a single-node Ceph with one radosgw and a user with known keys (no bucket yet). */
export async function startRadosgw(options: RadosgwOptions = {}): Promise<Radosgw> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'pacs-radosgw-'));
  trackTempDir(dir);
  const cluster = new CephCluster(dir, options.persistent ? 'bluestore' : 'memstore');
  try {
    await cluster.start();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster.handle(Date.now() - started);
}

class CephCluster {
  private readonly env: NodeJS.ProcessEnv;
  private mon?: ChildProcess;
  private osd?: ChildProcess;
  private gateway?: ChildProcess;
  private frozen = false;
  private port = 0;

  constructor(
    private readonly dir: string,
    private readonly store: 'memstore' | 'bluestore',
  ) {
    this.env = { ...process.env, CEPH_CONF: join(dir, 'ceph.conf') };
  }

  async start(): Promise<void> {
    await this.startMon();
    await this.startOsd();
    // Creates radosgw's pools, so it also waits until the OSD is up and in.
    await this.run('radosgw-admin', ['user', 'create', '--uid=pacs-test', '--display-name=PACS tests', `--access-key=${ACCESS_KEY_ID}`, `--secret=${SECRET_ACCESS_KEY}`]);
    await this.startGatewayOnFreePort();
  }

  handle(startupMs: number): Radosgw {
    const endpoint = `http://127.0.0.1:${this.port}`;
    return {
      endpoint,
      region: REGION,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET_ACCESS_KEY,
      runDir: this.dir,
      startupMs,
      createBucket: (name) => createBucket(endpoint, name),
      stopGateway: () => this.stopGateway(),
      startGateway: () => this.startGatewayAt(this.port),
      freezeGateway: () => this.signalGateway('SIGSTOP'),
      thawGateway: () => this.signalGateway('SIGCONT'),
      stop: () => this.stop(),
      pids: () => [this.mon, this.osd, this.gateway].flatMap((child) => (child?.pid === undefined ? [] : [child.pid])),
    };
  }

  async stop(): Promise<void> {
    await this.stopGateway();
    await stopChild(this.osd);
    await stopChild(this.mon);
    this.osd = this.mon = undefined;
    if (process.env.PACS_TEST_KEEP_DATA !== '1') rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }

  private async startMon(): Promise<void> {
    const monPort = await freePort();
    // The OSD binds four messengers (public, cluster, two heartbeats); room to spare for retries.
    const msPortMin = await freePortRange(16);
    const fsid = randomUUID();
    writeFileSync(this.env.CEPH_CONF!, cephConfig({ dir: this.dir, fsid, monPort, msPortMin, msPortMax: msPortMin + 15, objectStore: this.store }));
    const monmap = join(this.dir, 'monmap');
    await this.run('monmaptool', ['--create', '--add', 'a', `v2:127.0.0.1:${monPort}`, '--fsid', fsid, monmap]);
    await this.run('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', monmap]);
    this.mon = this.daemon('mon.a', 'ceph-mon', ['-i', 'a']);
  }

  private async startOsd(): Promise<void> {
    const uuid = randomUUID();
    mkdirSync(join(this.dir, 'osd'));
    // The OSD's mkfs needs no mon (the fsid is in ceph.conf): it overlaps the mon's start and the
    // registration of osd.0, which waits for the mon to answer.
    await Promise.all([
      this.run('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', uuid]),
      this.run('ceph', ['--connect-timeout', '30', 'osd', 'new', uuid]),
    ]);
    this.osd = this.daemon('osd.0', 'ceph-osd', ['-i', '0']);
  }

  /** A port taken between the probe and radosgw's bind makes it exit: try another. */
  private async startGatewayOnFreePort(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startGatewayAt(await freePort());
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }

  private async startGatewayAt(port: number): Promise<void> {
    if (this.gateway) throw new Error('radosgw is already running');
    // A radosgw that was killed leaves its admin socket, and the next one logs "File exists".
    rmSync(join(this.dir, 'client.rgw.asok'), { force: true });
    // The endpoint on the command line, not in ceph.conf, so that a retry can take another port.
    // tcp_nodelay: without it a small response (a ranged GET of a frame, an error) waits ~40 ms
    // on a kept-alive connection (Nagle against the client's delayed ACK).
    const frontends = `beast endpoint=127.0.0.1:${port} tcp_nodelay=1`;
    const gateway = this.daemon('client.rgw', 'radosgw', ['-n', 'client.rgw', `--rgw-frontends=${frontends}`]);
    this.gateway = gateway;
    this.frozen = false;
    try {
      await waitAnswering(gateway, port, this.logTail('client.rgw'));
      this.port = port;
    } catch (err) {
      await this.stopGateway();
      throw err;
    }
  }

  private async stopGateway(): Promise<void> {
    if (this.frozen) this.signalGateway('SIGCONT');
    await stopChild(this.gateway);
    this.gateway = undefined;
  }

  private signalGateway(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.gateway) throw new Error('radosgw is not running');
    this.gateway.kill(signal);
    this.frozen = signal === 'SIGSTOP';
  }

  /** A daemon in the foreground (`-f`), so that it is our child and its pid is known. */
  private daemon(name: string, binary: string, args: string[]): ChildProcess {
    const out = openSync(join(this.dir, `${name}.out`), 'a');
    const child = spawn(binary, [...args, '-f'], { env: this.env, stdio: ['ignore', out, out] });
    closeSync(out);
    // SIGKILL if the test process exits first: the run directory goes with it, so a clean stop
    // would only spend seconds saving what is about to be removed.
    trackChild(child, 'SIGKILL');
    child.once('error', () => undefined); // a missing binary fails the earlier tool runs first
    return child;
  }

  private run(tool: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(tool, args, { env: this.env, timeout: TOOL_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        const why = missing ? 'not installed; run scripts/ensure-test-deps.sh' : `${err.message}\n${stderr}`;
        reject(new Error(`${tool} ${args.join(' ')}: ${why}`));
      });
    });
  }

  private logTail(name: string): () => string {
    return () => {
      const log = join(this.dir, `${name}.log`);
      return existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
    };
  }
}

/** Waits until radosgw answers HTTP on its port; fails if it exits first (a port taken, a crash). */
async function waitAnswering(child: ChildProcess, port: number, logTail: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`radosgw exited (${child.exitCode ?? child.signalCode}) before answering on port ${port}:\n${logTail()}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      return;
    } catch {
      await sleep(25);
    }
  }
  throw new Error(`radosgw did not answer on port ${port} within ${READY_TIMEOUT_MS} ms:\n${logTail()}`);
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the child has exited. */
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  // No pid: it never started (a missing binary), so there is nothing to wait for.
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const inTime = await Promise.race([exited.then(() => true), sleep(GRACE_MS).then(() => false)]);
  if (inTime) return;
  child.kill('SIGKILL');
  await exited;
}

async function createBucket(endpoint: string, name: string): Promise<void> {
  const client = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
}
