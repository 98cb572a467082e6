import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AuthError, toHttpException } from './auth.errors';
import { IS_PUBLIC_KEY } from './auth.decorators';
import type { AuthUser } from './auth-user';

/** Whether the route or its controller carries @Public(). */
export function isPublicRoute(reflector: Reflector, ctx: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()]) === true;
}

/** Global guard: every HTTP route needs a valid bearer token unless it is @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  canActivate(ctx: ExecutionContext) {
    // DIMSE has its own AE policy; this guard covers HTTP only.
    if (ctx.getType() !== 'http' || isPublicRoute(this.reflector, ctx)) return true;
    return super.canActivate(ctx);
  }

  handleRequest<TUser = AuthUser>(err: unknown, user: unknown, info: unknown): TUser {
    if (err || !user) throw toHttpException(new AuthError('unauthenticated', describeFailure(info)));
    return user as TUser;
  }
}

function describeFailure(info: unknown): string {
  const name = (info as { name?: string } | undefined)?.name;
  if (name === 'TokenExpiredError') return 'The bearer token has expired';
  if (name === 'JsonWebTokenError' || name === 'NotBeforeError') return 'The bearer token is invalid';
  return 'A valid bearer token is required (Authorization: Bearer <token>)';
}
