import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Server, Socket } from 'node:net';
import { PacsConfig } from '@pacs/config';
import { httpErrorBody } from '../http-error.filter';
import { BurstLog } from './burst-log';
import { capConnections } from './connection-caps';
import { checkRequest } from './request-checks';
import { AnswersInFlight, RequestDeadlines } from './request-deadlines';

/**
 * How often Node looks for requests past their deadline. Its default (30 s) would let a
 * request outlive PACS_HTTP_REQUEST_TIMEOUT_MS by up to that much.
 */
const DEADLINE_CHECK_INTERVAL_MS = 1_000;

/** The Fastify adapter options this module adds to, as server.ts builds them. */
export interface AdapterOptions {
  https?: object;
  [option: string]: unknown;
}

/**
 * Everything that bounds what one client can hold of the HTTP server: deadlines for receiving
 * a request (idle and total), connection caps (total and per address), and an answer in the
 * API's JSON error shape for what Node or Fastify would otherwise refuse without one (no Host,
 * malformed HTTP, malformed URL, control characters). Body size limits are per content type
 * (content-types.ts); authentication before the body is @pacs/auth's.
 */
export class HttpLimits {
  private readonly log = new BurstLog(new Logger('HTTP'));
  private readonly answers = new AnswersInFlight();
  private readonly deadlines: RequestDeadlines;

  constructor(private readonly config: PacsConfig) {
    this.deadlines = new RequestDeadlines(config.http, this.answers, this.log);
  }

  /** `base` with the deadlines, the body limit and our answers to errors Fastify meets first. */
  fastifyOptions<T extends AdapterOptions>(base: T): T {
    const { requestTimeoutMs, idleTimeoutMs, bodyLimit } = this.config.http;
    // Passed to http(s).createServer: `requireHostHeader` off so that checkRequest answers
    // the missing Host with a JSON body.
    const node = {
      requestTimeout: requestTimeoutMs,
      headersTimeout: this.deadlines.headersTimeoutMs,
      connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS,
      requireHostHeader: false,
    };
    return {
      ...base,
      ...(base.https ? { https: { ...base.https, ...node } } : { http: node }),
      bodyLimit,
      requestTimeout: requestTimeoutMs,
      // The socket's idle timeout; what it does is decided in RequestDeadlines.idle.
      connectionTimeout: idleTimeoutMs,
      clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => this.deadlines.clientError(err, socket),
      // A URL the router cannot decode (400) or a parameter beyond its length (414).
      frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
        const status = error.statusCode ?? 400;
        void reply.code(status).send(httpErrorBody(status, error.message, String(request.id)));
      },
    };
  }

  /** Hooks and server listeners; call once the application is created, before it listens. */
  install(app: NestFastifyApplication): void {
    const fastify = app.getHttpAdapter().getInstance();
    this.answers.track(fastify);
    fastify.addHook('onRequest', async (request) => checkRequest(request));
    const server = app.getHttpServer() as Server;
    server.on('timeout', (socket) => this.deadlines.idle(socket));
    const { maxConnections, maxConnectionsPerAddress } = this.config.http;
    capConnections(server, { total: maxConnections, perAddress: maxConnectionsPerAddress }, this.log);
  }
}
