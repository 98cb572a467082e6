// First: V8 flags are set before anything else runs (gc-tuning.ts).
import './gc-tuning';
import 'reflect-metadata';
import { ConfigError, loadConfig, PacsConfig } from '@pacs/config';
import { startServer } from './server';
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
  const server = await startServer(config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received, stopping\n`);
    server.stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const config = configOrExit();
run(config).catch((err) => {
  process.stderr.write(`PACS failed to start: ${startupFailure(err, config)}\n`);
  process.exit(1);
});
