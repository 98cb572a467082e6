import { isRole, permissionsOf, Permission, Role } from './permissions';

/** The authenticated caller, put on the request by the JWT guard. */
export interface AuthUser {
  username: string;
  roles: Role[];
  permissions: Permission[];
  /** The external issuer (`iss`) for OpenID Connect tokens; absent for local users. */
  issuer?: string;
}

/** Builds the AuthUser; unknown role names (an edited row, a foreign token) grant nothing. */
export function toAuthUser(username: string, roles: readonly unknown[]): AuthUser {
  const known = [...new Set(roles.filter(isRole))];
  return { username, roles: known, permissions: permissionsOf(known) };
}
