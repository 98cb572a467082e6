import { BadRequestException, ConflictException, ForbiddenException, HttpException, HttpStatus, InternalServerErrorException, NotFoundException, UnauthorizedException } from '@nestjs/common';

export type AuthErrorCode =
  | 'invalid-user' // username, password or roles break the rules
  | 'user-exists'
  | 'user-not-found'
  | 'too-many-attempts' // login failures over the limit (429, Retry-After)
  | 'invalid-credentials' // login failed: unknown user, wrong password or disabled
  | 'unauthenticated' // no valid bearer token
  | 'forbidden' // valid token, missing permission
  | 'audit-unavailable'; // a login succeeded but could not be audited: no token

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
    case 'user-not-found':
      return new NotFoundException(body);
    case 'too-many-attempts':
      return new HttpException(body, HttpStatus.TOO_MANY_REQUESTS);
    case 'invalid-credentials':
    case 'unauthenticated':
      return new UnauthorizedException(body);
    case 'forbidden':
      return new ForbiddenException(body);
    case 'audit-unavailable':
      return new InternalServerErrorException(body);
    default: {
      const unreachable: never = err.code;
      throw new Error(`unmapped auth error code ${String(unreachable)}`);
    }
  }
}
