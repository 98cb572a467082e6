import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ConflictException,
  ExceptionFilter,
  HttpException,
  Injectable,
  NotFoundException,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

export type DimseErrorCode =
  | 'invalid-peer' // a peer body that breaks the rules (beyond DTO validation)
  | 'peer-exists' // POST with an AE title already registered
  | 'peer-not-found';

/** Domain error of @pacs/dimse; services throw it, the HTTP edge maps it below. */
export class DimseError extends Error {
  constructor(
    readonly code: DimseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DimseError';
  }
}

/** The one mapping from dimse error codes to HTTP; body `{ error, message }`. */
export function toHttpException(err: DimseError): HttpException {
  const body = { error: err.code, message: err.message };
  switch (err.code) {
    case 'invalid-peer':
      return new BadRequestException(body);
    case 'peer-exists':
      return new ConflictException(body);
    case 'peer-not-found':
      return new NotFoundException(body);
    default: {
      const unreachable: never = err.code;
      throw new Error(`unmapped dimse error code ${String(unreachable)}`);
    }
  }
}

/** Scoped to the peers controller until the global filter exists. */
@Catch(DimseError)
@Injectable()
export class DimseErrorFilter implements ExceptionFilter<DimseError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(err: DimseError, host: ArgumentsHost): void {
    const http = toHttpException(err);
    const reply = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(reply, http.getResponse(), http.getStatus());
  }
}

/** Strict body validation for the peers routes: unknown fields are rejected. */
export function peersValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors: ValidationError[]) =>
      new BadRequestException({ error: 'invalid-request', message: describeValidation(errors).join('; ') }),
  });
}

function describeValidation(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => [...Object.values(e.constraints ?? {}), ...describeValidation(e.children ?? [])]);
}
