import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@pacs/errors';
import { PERMISSION_KEY } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { isPublicRoute } from './jwt-auth.guard';
import { isRole, Permission, rolePermissions } from './permissions';

/**
 * Global guard: a route with @RequirePermission(p) needs a caller whose roles grant p. A route
 * that declares neither a permission nor @Public() is refused for everyone (deny by default),
 * so a forgotten decorator cannot open a route.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http' || isPublicRoute(this.reflector, ctx)) return true;
    const required = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, [ctx.getHandler(), ctx.getClass()]);
    const user = ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (!user) throw new DomainError('unauthenticated', 'A valid bearer token is required');
    if (!required) {
      throw new DomainError('forbidden', 'This route declares no permission (@RequirePermission) and is closed');
    }
    // Derived from the roles, not trusted from the request, so the catalogue is the only source.
    const granted = user.roles.filter(isRole).flatMap(rolePermissions);
    if (!granted.includes(required)) {
      throw new DomainError('forbidden', `Permission '${required}' is required; user "${user.username}" lacks it`);
    }
    return true;
  }
}
