/** The one permission catalogue: every route and service checks against these names. */
export const PERMISSIONS = [
  'study:read',
  'study:write',
  'study:delete',
  // Corrections of stored data: patient and study attributes, merge, series move (admin only).
  'study:update',
  // De-identified copies (PS3.15 Annex E) of stored studies: admin only.
  'study:deidentify',
  'worklist:read',
  'worklist:write',
  'mpps:read',
  'audit:read',
  'admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'radiologist', 'technologist', 'ris', 'auditor', 'viewer-service'] as const;
export type Role = (typeof ROLES)[number];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  radiologist: ['study:read', 'worklist:read', 'mpps:read'],
  technologist: ['study:read', 'study:write', 'worklist:read', 'mpps:read'],
  ris: ['worklist:read', 'worklist:write', 'mpps:read'],
  // Auditors read the audit trail only: no image or patient data access.
  auditor: ['audit:read'],
  'viewer-service': ['study:read'],
};

/** The permissions a role grants; a fresh array, so callers may modify it. */
export function rolePermissions(role: Role): Permission[] {
  return [...(ROLE_PERMISSIONS[role] ?? [])];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Union of the permissions of several roles, in catalogue order. */
export function permissionsOf(roles: readonly Role[]): Permission[] {
  const granted = new Set(roles.flatMap(rolePermissions));
  return PERMISSIONS.filter((p) => granted.has(p));
}
