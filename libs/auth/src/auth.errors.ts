import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ConflictException,
  ExceptionFilter,
  ForbiddenException,
  HttpException,
  Injectable,
  UnauthorizedException,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

export type AuthErrorCode =
  | 'invalid-user' // username, password or roles break the rules
  | 'user-exists'
  | 'invalid-credentials' // login failed: unknown user, wrong password or disabled
  | 'unauthenticated' // no valid bearer token
  | 'forbidden'; // valid token, missing permission

/** Domain error of @pacs/auth; services throw it, the HTTP edge maps it below. */
export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

/** The one mapping from auth error codes to HTTP; body `{ error, message }`. */
export function toHttpException(err: AuthError): HttpException {
  const body = { error: err.code, message: err.message };
  switch (err.code) {
    case 'invalid-user':
      return new BadRequestException(body);
    case 'user-exists':
      return new ConflictException(body);
    case 'invalid-credentials':
    case 'unauthenticated':
      return new UnauthorizedException(body);
    case 'forbidden':
      return new ForbiddenException(body);
    default: {
      const unreachable: never = err.code;
      throw new Error(`unmapped auth error code ${String(unreachable)}`);
    }
  }
}

/** Scoped to the auth controllers until the global filter exists. */
@Catch(AuthError)
@Injectable()
export class AuthErrorFilter implements ExceptionFilter<AuthError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(err: AuthError, host: ArgumentsHost): void {
    const http = toHttpException(err);
    const reply = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(reply, http.getResponse(), http.getStatus());
  }
}

/** Strict body validation for the auth routes: unknown fields are rejected. */
export function authValidationPipe(): ValidationPipe {
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
