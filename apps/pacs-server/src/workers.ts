import cluster, { Worker } from 'node:cluster';
import { PacsConfig } from '@pacs/config';
import { DatabaseHandle, startDatabase } from '@pacs/database';
import { serveClusterMetrics } from '@pacs/metrics';
import { readyBanner } from './server';
import { writeAfterLogs } from './startup-log';

/** What a worker tells its primary once it serves, with its count of DIMSE peers for the banner. */
export interface WorkerReady {
  type: 'pacs-worker-ready';
  peers: number;
}

/** A replacement starts this long after a worker died, so a worker that dies at once cannot spin. */
const REPLACE_DELAY_MS = 1000;
/** Workers still running this long after SIGTERM (draining) are killed. */
const STOP_TIMEOUT_MS = 30_000;

/**
 * PACS_WORKERS > 1: this process (the primary) starts the embedded PostgreSQL unless DATABASE_URL
 * is set, then that many workers, each a whole server on the shared HTTP and DICOM ports (Node's
 * cluster module hands each new connection to one of them). Workers are nodes on one database
 * (README, "Running several nodes"), each with its PACS_NODE_ID `<node id>/w<n>`. A worker that
 * dies after the start is replaced; one that fails during the start stops them all. SIGTERM or
 * SIGINT stops every worker (each drains as a single server does), then PostgreSQL. A scrape of
 * /metrics on any worker shows every worker's series (cluster-metrics.ts).
 */
export async function runWorkers(config: PacsConfig): Promise<void> {
  const database = await startDatabase(config, (msg) => process.stdout.write(`${msg}\n`));
  const pool = new WorkerPool(config, database);
  serveClusterMetrics();
  try {
    const peers = await pool.start();
    writeAfterLogs(readyBanner(config, peers, config.workers));
  } catch (err) {
    await pool.stop();
    await database.stop();
    throw err;
  }
  let stopping = false;
  const stop = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${reason}, stopping\n`);
    void pool
      .stop()
      .then(() => database.stop())
      .then(() => process.exit(code));
  };
  process.on('SIGINT', () => stop('SIGINT received', 0));
  process.on('SIGTERM', () => stop('SIGTERM received', 0));
  void database.lost.then((why) => {
    process.stderr.write(`${why}\n`);
    stop('database lost', 1);
  });
}

class WorkerPool {
  private readonly workers = new Map<number, Worker>();
  private started = false;
  private stopping = false;

  constructor(
    private readonly config: PacsConfig,
    private readonly database: DatabaseHandle,
  ) {}

  /** Resolves with the peers count once every worker serves; rejects if one exits first. */
  async start(): Promise<number> {
    const ready = await Promise.all(Array.from({ length: this.config.workers }, (_, slot) => this.fork(slot)));
    this.started = true;
    return ready[0].peers;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.workers.values()].map((worker) => stopWorker(worker)));
  }

  private fork(slot: number): Promise<WorkerReady> {
    const worker = cluster.fork({ DATABASE_URL: this.database.url, PACS_NODE_ID: `${this.config.nodeId}/w${slot}` });
    this.workers.set(slot, worker);
    worker.on('exit', (code, signal) => this.exited(slot, worker, code, signal));
    return new Promise<WorkerReady>((resolve, reject) => {
      worker.on('message', (message: WorkerReady) => {
        if (message?.type === 'pacs-worker-ready') resolve(message);
      });
      worker.on('exit', (code, signal) => reject(new Error(`worker ${slot} exited during start-up (${signal ?? `code ${code}`}); its output above says why`)));
    });
  }

  private exited(slot: number, worker: Worker, code: number | null, signal: string | null): void {
    if (this.workers.get(slot) === worker) this.workers.delete(slot);
    if (!this.started || this.stopping) return;
    process.stderr.write(`worker ${slot} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting another\n`);
    setTimeout(() => {
      if (this.stopping) return;
      this.fork(slot).then(
        () => process.stdout.write(`worker ${slot} replaced\n`),
        (err: Error) => process.stderr.write(`${err.message}\n`),
      );
    }, REPLACE_DELAY_MS);
  }
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves once the worker has exited. */
function stopWorker(worker: Worker): Promise<void> {
  if (worker.process.exitCode !== null || worker.process.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
    worker.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    worker.process.kill('SIGTERM');
  });
}
