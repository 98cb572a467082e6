import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { PacsConfig } from '@pacs/config';
import { startDatabase } from '@pacs/database';
import { PeersService } from '@pacs/dimse';
import { AppModule } from './app.module';
import { registerContentTypes } from './content-types';
import { corsOptions } from './http/cors';
import { HttpErrorFilter } from './http-error.filter';
import { HttpLimits } from './http/http-limits';
import { requestValidationPipe } from './validation';
import { setupOpenApi } from './openapi';
import { QuietStartupLogger, writeAfterLogs } from './startup-log';

export interface RunningServer {
  stop(): Promise<void>;
  /** Settles when the embedded PostgreSQL exits while the server runs (DatabaseHandle.lost). */
  databaseLost: Promise<string>;
}

/**
 * Starts PostgreSQL (embedded unless DATABASE_URL), then the Nest application (HTTP + DIMSE).
 * Stopping closes HTTP and DIMSE first, waits for in-flight work, then stops PostgreSQL.
 */
export async function startServer(config: PacsConfig, options: { announce?: (peers: number) => void } = {}): Promise<RunningServer> {
  const say = (msg: string) => process.stdout.write(`${msg}\n`);
  const database = await startDatabase(config, say);
  let app: NestFastifyApplication | undefined;
  try {
    const limits = new HttpLimits(config);
    const adapter = new FastifyAdapter(
      limits.fastifyOptions({ trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false, ...httpsOptions(config) }),
    );
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database.url), adapter, {
      bufferLogs: true,
      // A module that cannot start (a bucket that cannot be used) is thrown here, so the
      // embedded PostgreSQL is stopped and the admin is told why (startupFailure).
      abortOnError: false,
    });
    app.useLogger(new QuietStartupLogger(app.get(Logger)));
    app.useGlobalFilters(new HttpErrorFilter());
    app.useGlobalPipes(requestValidationPipe());
    registerContentTypes(app, config);
    const cors = corsOptions(config.http.corsOrigins);
    if (cors) app.enableCors(cors);
    limits.install(app);
    setupOpenApi(app);
    await app.listen(config.http.port, config.http.host);
  } catch (err) {
    // Modules already started (the DIMSE listener, the audit sealer) stop before their database.
    await app?.close().catch(() => undefined);
    await database.stop();
    throw err;
  }
  const peers = (await app.get(PeersService).list()).length;
  // The banner comes last, after every start-up log line, so that it stays on screen. A worker
  // leaves it to its primary (workers.ts), which prints it once all are ready.
  if (options.announce) options.announce(peers);
  else writeAfterLogs(readyBanner(config, peers));
  return {
    stop: async () => {
      await app.close();
      await database.stop();
    },
    databaseLost: database.lost,
  };
}

/** What a started server prints: where everything is. */
export function readyBanner(config: PacsConfig, peers: number, workers = 1): string {
  return [
    `PACS ready`,
    `  HTTP      ${config.tls.httpCert ? 'https' : 'http'}://${config.http.host}:${config.http.port}  (DICOMweb /dicomweb, REST /api, OpenAPI /api/docs, /health)`,
    `  DIMSE     AE ${config.dimse.aeTitle} on port ${config.dimse.port}, ${peersLine(peers, config.dimse.allowUnknown)}`,
    ...(config.tls.dimsePort !== null ? [`  DIMSE TLS port ${config.tls.dimsePort}${config.tls.dimseRequireClientCert ? ', client certificate required' : ''}`] : []),
    ...(workers > 1 ? [`  Workers   ${workers} processes sharing both ports`] : []),
    `  Data      ${config.dataDir}`,
    `  Database  ${config.database.url ? 'external (DATABASE_URL)' : `embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort}`}`,
  ].join('\n') + '\n';
}

/** HTTPS only (no plain HTTP beside it) when a certificate and key are configured; TLS 1.2 or later. */
function httpsOptions(config: PacsConfig): { https?: { key: Buffer; cert: Buffer; minVersion: 'TLSv1.2' } } {
  if (!config.tls.httpCert || !config.tls.httpKey) return {};
  return { https: { key: readFileSync(config.tls.httpKey), cert: readFileSync(config.tls.httpCert), minVersion: 'TLSv1.2' } };
}

/** A first-time admin learns here why a modality's association is refused. */
function peersLine(peers: number, allowUnknown: boolean): string {
  if (allowUnknown) return 'any calling AE accepted (PACS_DIMSE_ALLOW_UNKNOWN=true)';
  if (peers > 0) return `${peers} known peer${peers === 1 ? '' : 's'}`;
  return 'no peers yet: associations are refused until one is added (POST /api/peers, or peers in the config)';
}
