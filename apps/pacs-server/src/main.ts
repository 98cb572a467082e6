// First: V8 flags are set before anything else runs (gc-tuning.ts).
import './gc-tuning';
import 'reflect-metadata';
import { ConfigError, loadConfig, PacsConfig } from '@pacs/config';
import cluster from 'node:cluster';
import { startServer } from './server';
import { runWorkers, WorkerReady } from './workers';
import { startupFailure } from './startup-failure';

/** A bad setting ends the process before anything starts, with every bad value named. */
function configOrExit(): PacsConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

async function run(config: PacsConfig): Promise<void> {
  // A worker (PACS_WORKERS > 1) tells its primary it serves; the primary prints the banner.
  const announce = cluster.isWorker ? (peers: number) => process.send?.({ type: 'pacs-worker-ready', peers } satisfies WorkerReady) : undefined;
  const server = await startServer(config, { announce });
  let stopping = false;
  const stop = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${reason}, stopping\n`);
    server.stop().then(
      () => process.exit(code),
      (err) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT received', 0));
  process.on('SIGTERM', () => stop('SIGTERM received', 0));
  // A worker whose primary is gone (killed) stops too rather than serve on alone.
  if (cluster.isWorker) process.on('disconnect', () => stop('primary process gone', 1));
  // Without its database the server cannot serve: it stops with the rest of the process tree.
  void server.databaseLost.then((why) => {
    process.stderr.write(`${why}\n`);
    stop('database lost', 1);
  });
}

const config = configOrExit();
const start = config.workers > 1 && cluster.isPrimary ? runWorkers : run;
start(config).catch((err) => {
  process.stderr.write(`PACS failed to start: ${startupFailure(err, config)}\n`);
  process.exit(1);
});
