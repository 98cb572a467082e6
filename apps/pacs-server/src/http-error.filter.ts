import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, httpStatusOf } from '@pacs/errors';

/**
 * Last line of the HTTP boundary: every response error has the shape
 * `{ error, message, correlationId }`. A domain error's status comes from the one code → status
 * table of @pacs/errors; Nest's own HttpExceptions (routing, body parsing) keep theirs; anything
 * else is a 500 with a generic message and its stack logged under the correlation id.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse();
    const request = http.getRequest();
    const err = clientGone(thrown, request) ?? thrown;
    const correlationId = String(request?.id ?? randomUUID());
    if (reply.sent || reply.raw?.headersSent) {
      // A failure in the middle of a streamed response (WADO-RS): the status line is gone, so
      // cutting the connection is the only way to tell the client the body is incomplete.
      this.log.error({ correlationId, url: request?.url, err: (err as Error)?.message }, 'response cut short');
      reply.raw?.destroy();
      return;
    }
    if (err instanceof DomainError) return this.answerDomainError(err, reply, request, correlationId);
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const body = err.getResponse();
      const fields = typeof body === 'string' ? { message: body } : (body as Record<string, unknown>);
      // /health's 503 keeps terminus' report (info, error, details): monitors read which part is down and which are up.
      if (isHealthReport(fields)) return void reply.status(status).send({ ...fields, correlationId });
      const message = Array.isArray(fields.message) ? fields.message.join('; ') : String(fields.message ?? '');
      reply.status(status).send(httpErrorBody(status, message, correlationId, fields.error as string | undefined));
      return;
    }
    this.log.error({ correlationId, method: request?.method, url: request?.url, err: (err as Error)?.stack ?? String(err) }, 'unhandled error');
    reply.status(500).send(httpErrorBody(500, 'internal server error', correlationId, 'internal'));
  }

  /** The status from the code table; a server-side failure (5xx) is logged, the caller cannot fix it. */
  private answerDomainError(err: DomainError, reply: Reply, request: { method?: string; url?: string } | undefined, correlationId: string): void {
    const status = httpStatusOf(err.code);
    if (status >= 500) this.log.error({ correlationId, method: request?.method, url: request?.url, code: err.code, err: err.message }, 'request failed');
    reply.status(status).send(httpErrorBody(status, err.message, correlationId, err.code));
  }
}

type Reply = { status(code: number): { send(body: unknown): unknown } };

/** The one error body of the HTTP API, also for answers written outside Nest (http/). */
export function httpErrorBody(status: number, message: string, correlationId: string, error = defaultCode(status)): HttpErrorBody {
  return { error, message, correlationId };
}

export interface HttpErrorBody {
  error: string;
  message: string;
  correlationId: string;
}

/**
 * A body that stopped because the connection closed (the client hung up, or a deadline closed
 * it): the client's doing, not a server fault. Still answered, into the void, so that the
 * request is audited like any other that failed.
 */
function clientGone(err: unknown, request: { raw?: { socket?: { destroyed?: boolean } } } | undefined): DomainError | undefined {
  if ((err as NodeJS.ErrnoException)?.code !== 'ECONNRESET' || !request?.raw?.socket?.destroyed) return undefined;
  return new DomainError('request-aborted', 'the connection closed before the request was complete');
}

function isHealthReport(fields: Record<string, unknown>): boolean {
  return fields.status === 'error' && typeof fields.details === 'object' && typeof fields.error === 'object';
}

function defaultCode(status: number): string {
  const codes: Record<number, string> = {
    400: 'bad-request',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not-found',
    405: 'method-not-allowed',
    406: 'not-acceptable',
    408: 'request-timeout',
    409: 'conflict',
    413: 'payload-too-large',
    414: 'uri-too-long',
    415: 'unsupported-media-type',
    431: 'request-header-fields-too-large',
    503: 'unavailable',
  };
  return codes[status] ?? 'error';
}
