import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthUser } from './auth-user';
import type { Permission } from './permissions';

export const IS_PUBLIC_KEY = 'pacs:auth:public';
export const PERMISSION_KEY = 'pacs:auth:permission';

/** Opens a route (or a controller) to callers without a token. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/** The caller's roles must grant this permission, else 403. */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

/** The AuthUser of the request (undefined on @Public routes). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthUser | undefined => ctx.switchToHttp().getRequest<{ user?: AuthUser }>().user,
);
