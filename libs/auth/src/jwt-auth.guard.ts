import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthError } from './auth.errors';
import { IS_PUBLIC_KEY } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { TokenRejected } from './token-rejection';
import { TokenVerifier } from './token-verifier.service';

/** Whether the route or its controller carries @Public(). */
export function isPublicRoute(reflector: Reflector, ctx: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()]) === true;
}

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  method?: string;
  url?: string;
  user?: AuthUser;
}

/**
 * Global guard: every HTTP route needs a valid bearer token (local or OpenID Connect) unless it
 * is @Public(). The reason for a refusal goes to the log with the route and address, never the
 * token; the client learns only that the token was refused.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    // DIMSE has its own AE policy; this guard covers HTTP only.
    if (ctx.getType() !== 'http' || isPublicRoute(this.reflector, ctx)) return true;
    const req = ctx.switchToHttp().getRequest<GuardedRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new AuthError('unauthenticated', 'A valid bearer token is required (Authorization: Bearer <token>)');
    try {
      req.user = await this.verifier.verify(token);
      return true;
    } catch (err) {
      const reason = err instanceof TokenRejected ? err.reason : 'verification failed';
      if (!(err instanceof TokenRejected)) this.logger.error({ msg: 'token verification error', err: (err as Error)?.stack });
      this.logger.warn({ msg: 'bearer token refused', reason, method: req.method, url: req.url, remoteAddress: req.ip });
      throw new AuthError('unauthenticated', messageFor(reason));
    }
  }
}

function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match?.[1];
}

/** Expiry is safe to tell the client (it should refresh); the other reasons stay in the log. */
function messageFor(reason: string): string {
  return reason === 'expired' ? 'The bearer token has expired' : 'The bearer token is invalid';
}
