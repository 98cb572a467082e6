// Public API of @pacs/auth.
export { AuthModule } from './auth.module';
export { Public, RequirePermission, CurrentUser, PERMISSION_EXTENSION, PUBLIC_EXTENSION } from './auth.decorators';
export { Audited, auditedHandler, auditedRoute, auditStudies, handlerStudiesOf } from './audited.decorator';
export type { AuditedAction, AuditedEvent, AuditedRoute, AuditedStudySource } from './audited.decorator';
export { PERMISSIONS, ROLES, rolePermissions } from './permissions';
export type { Permission, Role } from './permissions';
export type { AuthUser } from './auth-user';
export { UsersService } from './users.service';
export { isPublicRoute } from './body-auth.hook';
export { LOGIN_AUDIT } from './login-audit';
export type { LoginAttempt, LoginAudit } from './login-audit';
