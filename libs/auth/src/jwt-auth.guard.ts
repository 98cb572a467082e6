import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '@pacs/errors';
import { IS_PUBLIC_KEY } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { bearerToken } from './jwt.strategy';
import { rejectionReason } from './token-rejection';

/** Whether the route or its controller carries @Public(). */
export function isPublicRoute(reflector: Reflector, ctx: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()]) === true;
}

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  method?: string;
  url?: string;
}

/**
 * Global guard: every HTTP route needs a valid bearer token (local or OpenID Connect, checked by
 * JwtStrategy) unless it is @Public(). The reason for a refusal goes to the log with the route
 * and address, never the token; the client learns only that the token was refused.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly logger = new Logger('Auth');

  constructor(private readonly reflector: Reflector) {
    super();
  }

  canActivate(ctx: ExecutionContext) {
    // DIMSE has its own AE policy; this guard covers HTTP only.
    if (ctx.getType() !== 'http' || isPublicRoute(this.reflector, ctx)) return true;
    return super.canActivate(ctx);
  }

  /**
   * The same verification outside Nest's pipeline (BodyAuthHook, before the body is read):
   * puts the user on the request, or throws DomainError('unauthenticated') as the guard does.
   */
  async authenticate(request: object, response: object): Promise<void> {
    await super.canActivate(new ExecutionContextHost([request, response]));
  }

  /** `err`: thrown by validate(); `info`: why passport-jwt failed (no token, key, signature). */
  handleRequest<TUser = AuthUser>(err: unknown, user: unknown, info: unknown, ctx: ExecutionContext): TUser {
    if (!err && user) return user as TUser;
    const req = ctx.switchToHttp().getRequest<GuardedRequest>();
    if (!err && !bearerToken(req)) throw new DomainError('unauthenticated', 'A valid bearer token is required (Authorization: Bearer <token>)');
    let reason = rejectionReason(err ?? info);
    if (reason === undefined) {
      this.logger.error({ msg: 'token verification error', err: ((err ?? info) as Error)?.stack });
      reason = 'verification failed';
    }
    this.logger.warn({ msg: 'bearer token refused', reason, method: req.method, url: req.url, remoteAddress: req.ip });
    throw new DomainError('unauthenticated', messageFor(reason));
  }
}

/** Expiry is safe to tell the client (it should refresh); the other reasons stay in the log. */
function messageFor(reason: string): string {
  return reason === 'expired' ? 'The bearer token has expired' : 'The bearer token is invalid';
}
