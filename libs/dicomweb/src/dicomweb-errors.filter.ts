import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { IngestError, NotFoundError, QueryError } from '@pacs/index';
import { DicomWebError, DicomWebErrorCode } from './dicomweb.errors';

export interface ErrorBody {
  error: string;
  message: string;
  correlationId?: string;
}

/**
 * Maps the errors of the DICOMweb controllers to HTTP (to be folded into the global filter):
 * request errors → 400/406/415, ingest and query errors → 400, not found → 404, HTTP
 * exceptions (guards: 401/403) as they are, anything else → 500 with the stack logged.
 */
@Catch()
export class DicomWebErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('DicomWeb');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<{ id?: string }>();
    const correlationId = String(request?.id ?? randomUUID());
    const [status, body] = this.map(exception, correlationId);
    if (reply.sent || reply.raw.headersSent) {
      // Mid-stream failure (WADO-RS): the status is gone; cutting the connection tells the client.
      reply.raw.destroy();
      return;
    }
    void reply.status(status).header('content-type', 'application/json').send({ ...body, correlationId });
  }

  private map(exception: unknown, correlationId: string): [number, ErrorBody] {
    if (exception instanceof DicomWebError) return [statusOf(exception.code), { error: exception.code, message: exception.message }];
    if (exception instanceof IngestError) return [400, { error: exception.code, message: exception.message }];
    if (exception instanceof QueryError) return [400, { error: exception.code, message: exception.message }];
    if (exception instanceof NotFoundError) return [404, { error: exception.code, message: exception.message }];
    if (exception instanceof HttpException) return [exception.getStatus(), { error: httpErrorName(exception.getStatus()), message: exception.message }];
    this.logger.error({ correlationId, err: (exception as Error)?.stack ?? String(exception) }, 'unhandled DICOMweb error');
    return [500, { error: 'internal-error', message: 'internal server error' }];
  }
}

function statusOf(code: DicomWebErrorCode): number {
  switch (code) {
    case 'bad-request':
      return HttpStatus.BAD_REQUEST;
    case 'not-acceptable':
      return HttpStatus.NOT_ACCEPTABLE;
    case 'unsupported-media-type':
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
  }
}

/** `HttpStatus.FORBIDDEN` → "forbidden", in the same kebab-case as the domain codes. */
function httpErrorName(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  return name ? name.toLowerCase().replace(/_/g, '-') : 'http-error';
}
