import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PERMISSIONS, ROLES, rolePermissions } from './permissions';
import { toAuthUser } from './auth-user';

describe('rolePermissions', () => {
  it('grants admin every permission', () => {
    assert.deepEqual(rolePermissions('admin'), [...PERMISSIONS]);
  });

  it('gives the auditor the audit trail and no image access', () => {
    assert.deepEqual(rolePermissions('auditor'), ['audit:read']);
  });

  it('maps the clinical and service roles as catalogued', () => {
    assert.deepEqual(rolePermissions('radiologist'), ['study:read', 'worklist:read', 'mpps:read']);
    assert.deepEqual(rolePermissions('technologist'), ['study:read', 'study:write', 'worklist:read', 'mpps:read']);
    assert.deepEqual(rolePermissions('ris'), ['worklist:read', 'worklist:write', 'mpps:read']);
    assert.deepEqual(rolePermissions('viewer-service'), ['study:read']);
  });

  it('grants only catalogued permissions, and no role but admin grants admin, study:delete or study:deidentify', () => {
    for (const role of ROLES) {
      for (const p of rolePermissions(role)) assert.ok(PERMISSIONS.includes(p));
      if (role !== 'admin') {
        assert.ok(!rolePermissions(role).includes('admin'));
        assert.ok(!rolePermissions(role).includes('study:delete'));
        assert.ok(!rolePermissions(role).includes('study:deidentify'));
      }
    }
  });

  it('returns a copy the caller cannot use to widen a role', () => {
    rolePermissions('viewer-service').push('admin');
    assert.deepEqual(rolePermissions('viewer-service'), ['study:read']);
  });
});

describe('toAuthUser', () => {
  it('unions the permissions of several roles and drops unknown roles', () => {
    const user = toAuthUser('ann', ['ris', 'viewer-service', 'root']);
    assert.deepEqual(user.roles, ['ris', 'viewer-service']);
    assert.deepEqual(user.permissions, ['study:read', 'worklist:read', 'worklist:write', 'mpps:read']);
  });
});
