import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mapRoles, rolesAt } from './oidc-issuer';

describe('OIDC roles claim and mapping', () => {
  it('reads roles at a dotted path (Keycloak realm_access.roles), a flat claim, or a single string', () => {
    assert.deepEqual(rolesAt({ realm_access: { roles: ['a', 'b'] } }, 'realm_access.roles'), ['a', 'b']);
    assert.deepEqual(rolesAt({ groups: ['g'] }, 'groups'), ['g']);
    assert.deepEqual(rolesAt({ role: 'admin' }, 'role'), ['admin']);
  });

  it('yields no roles for a missing path or a claim of another shape, and drops non-strings', () => {
    assert.deepEqual(rolesAt({}, 'realm_access.roles'), []);
    assert.deepEqual(rolesAt({ realm_access: 'x' }, 'realm_access.roles'), []);
    assert.deepEqual(rolesAt({ roles: [1, 'ris', null] }, 'roles'), ['ris']);
  });

  it('maps through the configured mapping and keeps names it does not list', () => {
    const mapping = { readers: ['radiologist'], ops: ['admin', 'auditor'] };
    assert.deepEqual(mapRoles(['readers', 'ops', 'ris'], mapping), ['radiologist', 'admin', 'auditor', 'ris']);
    assert.deepEqual(mapRoles(['readers'], null), ['readers']);
  });
});
