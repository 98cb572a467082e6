import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BurstLog } from './burst-log';
import { answerAndClose } from './raw-answer';

/** An answer under way, and the id its logs and error body carry. */
interface Answer {
  response: ServerResponse;
  correlationId: string;
}

/**
 * The answer under way on each connection, so that a deadline can tell whether its request is
 * still arriving and whether anything of the answer went out.
 */
export class AnswersInFlight {
  private readonly answers = new WeakMap<Duplex, Answer>();

  track(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const socket = request.raw.socket;
      const answer = { response: reply.raw, correlationId: String(request.id) };
      this.answers.set(socket, answer);
      reply.raw.once('close', () => {
        if (this.answers.get(socket) === answer) this.answers.delete(socket);
      });
      done();
    });
  }

  of(socket: Duplex): Answer | undefined {
    return this.answers.get(socket);
  }
}

export interface Deadlines {
  /** PACS_HTTP_REQUEST_TIMEOUT_MS */
  requestTimeoutMs: number;
  /** PACS_HTTP_IDLE_TIMEOUT_MS */
  idleTimeoutMs: number;
}

/**
 * What happens when a client stops sending, sends too slowly or sends what Node cannot parse.
 * Node enforces the deadlines themselves (the socket's idle timeout, `headersTimeout`,
 * `requestTimeout`); these handlers decide the answer: a JSON 408, 400 or 431 when nothing of an
 * answer went out yet, and the connection closed.
 */
export class RequestDeadlines {
  constructor(
    private readonly deadlines: Deadlines,
    private readonly answers: AnswersInFlight,
    private readonly log: BurstLog,
  ) {}

  /** Headers must arrive within the idle time, and never later than the whole request. */
  get headersTimeoutMs(): number {
    return Math.min(this.deadlines.idleTimeoutMs, this.deadlines.requestTimeoutMs);
  }

  /** Node's 'clientError' (Fastify's clientErrorHandler): unparseable, or out of time. */
  clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = this.answers.of(socket);
    const [status, message] = this.describe(err, answer !== undefined);
    const correlationId = answer?.correlationId ?? randomUUID();
    answerAndClose(socket, status, message, { started: answer?.response.headersSent ?? false, correlationId });
    this.log.warn(`client-error-${status}`, { msg: `HTTP request refused: ${message}`, correlationId, remoteAddress: (socket as Socket).remoteAddress });
  }

  /** The server's 'timeout': nothing went either way on the socket for PACS_HTTP_IDLE_TIMEOUT_MS. */
  idle(socket: Socket): void {
    const answer = this.answers.of(socket);
    // Between two requests (keep-alive) or before the first one's headers came: nothing to answer.
    if (!answer) return void socket.destroy();
    const { response, correlationId } = answer;
    const request = response.req;
    if (!request.complete) {
      // Paused by the server itself (a slow disk or ingest pushing back on STOW-RS): not the client's silence.
      if (request.readableFlowing === false) return void socket.setTimeout(this.deadlines.idleTimeoutMs);
      const message = `no data received for ${this.deadlines.idleTimeoutMs} ms before the request was complete (PACS_HTTP_IDLE_TIMEOUT_MS)`;
      answerAndClose(socket, 408, message, { started: response.headersSent, correlationId });
      this.log.warn('idle-request', { msg: `HTTP request refused: ${message}`, correlationId, method: request.method, remoteAddress: socket.remoteAddress });
      return;
    }
    // The request is complete: the server may take its time over the answer, but a client
    // that stopped reading it holds the connection and the answer's buffers.
    if (socket.writableLength > 0) {
      const msg = `HTTP connection closed: the client read nothing of its answer for ${this.deadlines.idleTimeoutMs} ms`;
      this.log.warn('idle-reader', { msg, correlationId, remoteAddress: socket.remoteAddress });
      socket.destroy();
    }
  }

  private describe(err: NodeJS.ErrnoException, headersCame: boolean): [number, string] {
    switch (err.code) {
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        return headersCame
          ? [408, `the request was not complete within ${this.deadlines.requestTimeoutMs} ms (PACS_HTTP_REQUEST_TIMEOUT_MS)`]
          : [408, `the request headers were not complete within ${this.headersTimeoutMs} ms`];
      case 'HPE_HEADER_OVERFLOW':
        return [431, 'the request headers are too large'];
      case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
        return [413, 'the chunk extensions of the request body are too large'];
      default:
        return [400, `malformed HTTP request (${err.code ?? err.message})`];
    }
  }
}
