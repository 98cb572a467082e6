import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { mergeRouteConfig } from './audited.decorator';
import type { AuthUser } from './auth-user';
import type { Permission } from './permissions';

export const IS_PUBLIC_KEY = 'pacs:auth:public';
export const PERMISSION_KEY = 'pacs:auth:permission';

/**
 * OpenAPI extensions naming each operation's access rule. The role × route matrix test reads
 * them from /api/docs-json: an operation with neither fails it.
 */
export const PERMISSION_EXTENSION = 'x-pacs-permission';
export const PUBLIC_EXTENSION = 'x-pacs-public';

/**
 * Fastify route config of a @Public() route: BodyAuthHook reads it, before Nest's metadata can be
 * (the guards run once the body is parsed). Set on routes only: Fastify sees no controller
 * metadata, so a @Public() controller is still closed to bodies without a token.
 */
export const PUBLIC_ROUTE_CONFIG = 'pacsPublic';

/** Opens a route (or a controller) to callers without a token. */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), mergeRouteConfig({ [PUBLIC_ROUTE_CONFIG]: true }), ApiExtension(PUBLIC_EXTENSION, true));

/**
 * The caller's roles must grant this permission, else 403. It also documents the route in
 * OpenAPI (bearer token, 401, 403 naming the permission), so the document cannot drift from
 * what the guards enforce.
 */
export const RequirePermission = (permission: Permission) =>
  applyDecorators(
    SetMetadata(PERMISSION_KEY, permission),
    ApiExtension(PERMISSION_EXTENSION, permission),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired bearer token' }),
    ApiForbiddenResponse({ description: `The caller's roles do not grant permission '${permission}'` }),
  );

/** The AuthUser of the request (undefined on @Public routes). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser | undefined => ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user,
);
