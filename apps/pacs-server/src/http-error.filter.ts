import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuthError, authErrorToHttp } from '@pacs/auth';
import { DicomWebError, dicomWebErrorToHttp } from '@pacs/dicomweb';
import { DimseError, dimseErrorToHttp } from '@pacs/dimse';
import { IngestError, NotFoundError, QueryError } from '@pacs/index';
import { MppsError, mppsErrorToHttp } from '@pacs/mpps';
import { WorklistError, worklistErrorToHttp } from '@pacs/worklist';

/**
 * Last line of the HTTP boundary: every response error has the shape
 * `{ error, message, correlationId }`. Domain errors are mapped by their own module's
 * code → status table; anything else is a 500 with a generic message and its stack logged
 * under the correlation id.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const err = domainToHttp(thrown);
    const http = host.switchToHttp();
    const reply = http.getResponse();
    const request = http.getRequest();
    const correlationId = String(request?.id ?? randomUUID());
    if (reply.sent || reply.raw?.headersSent) {
      // A failure in the middle of a streamed response (WADO-RS): the status line is gone, so
      // cutting the connection is the only way to tell the client the body is incomplete.
      this.log.error({ correlationId, url: request?.url, err: (err as Error)?.message }, 'response cut short');
      reply.raw?.destroy();
      return;
    }
    if (err instanceof HttpException) {
      const status = err.getStatus();
      const body = err.getResponse();
      const fields = typeof body === 'string' ? { message: body } : (body as Record<string, unknown>);
      // /health's 503 keeps terminus' report (info, error, details): monitors read which part is down and which are up.
      if (isHealthReport(fields)) return void reply.status(status).send({ ...fields, correlationId });
      const message = Array.isArray(fields.message) ? fields.message.join('; ') : fields.message;
      reply.status(status).send({ error: fields.error ?? defaultCode(status), message, correlationId });
      return;
    }
    this.log.error({ correlationId, method: request?.method, url: request?.url, err: (err as Error)?.stack ?? String(err) }, 'unhandled error');
    reply.status(500).send({ error: 'internal', message: 'internal server error', correlationId });
  }
}

function domainToHttp(err: unknown): unknown {
  if (err instanceof AuthError) return authErrorToHttp(err);
  if (err instanceof DimseError) return dimseErrorToHttp(err);
  if (err instanceof DicomWebError) return dicomWebErrorToHttp(err);
  if (err instanceof IngestError || err instanceof QueryError) return new BadRequestException({ error: err.code, message: err.message });
  if (err instanceof WorklistError) return worklistErrorToHttp(err);
  if (err instanceof MppsError) return mppsErrorToHttp(err);
  if (err instanceof NotFoundError) return new NotFoundException({ error: err.code, message: err.message });
  return err;
}

function isHealthReport(fields: Record<string, unknown>): boolean {
  return fields.status === 'error' && typeof fields.details === 'object' && typeof fields.error === 'object';
}

function defaultCode(status: number): string {
  const codes: Record<number, string> = { 400: 'bad-request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 405: 'method-not-allowed', 406: 'not-acceptable', 409: 'conflict', 413: 'payload-too-large', 415: 'unsupported-media-type' };
  return codes[status] ?? 'error';
}
