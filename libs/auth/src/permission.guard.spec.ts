import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, httpStatusOf } from '@pacs/errors';
import { IS_PUBLIC_KEY, PERMISSION_KEY } from './auth.decorators';
import { toAuthUser } from './auth-user';
import { PermissionGuard } from './permission.guard';

function context(user: unknown, type = 'http'): ExecutionContext {
  return {
    getType: () => type,
    getHandler: () => function handler() {},
    getClass: () => class Controller {},
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  } as unknown as ExecutionContext;
}

function reflector(metadata: Record<string, unknown>): Reflector {
  return { getAllAndOverride: (key: string) => metadata[key] } as unknown as Reflector;
}

function statusOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DomainError);
    return httpStatusOf(err.code);
  }
  return 200;
}

describe('PermissionGuard', () => {
  it('closes a route that declares neither a permission nor @Public (deny by default)', () => {
    const guard = new PermissionGuard(reflector({}));
    assert.equal(statusOf(() => guard.canActivate(context(toAuthUser('a', ['admin'])))), 403);
  });

  it('lets anyone through a @Public route', () => {
    const guard = new PermissionGuard(reflector({ [IS_PUBLIC_KEY]: true }));
    assert.equal(guard.canActivate(context(undefined)), true);
  });

  it('lets a caller whose role grants the permission through', () => {
    const guard = new PermissionGuard(reflector({ [PERMISSION_KEY]: 'audit:read' }));
    assert.equal(guard.canActivate(context(toAuthUser('a', ['auditor']))), true);
  });

  it('answers 403 naming the missing permission', () => {
    const guard = new PermissionGuard(reflector({ [PERMISSION_KEY]: 'study:read' }));
    try {
      guard.canActivate(context(toAuthUser('a', ['auditor'])));
      assert.fail('expected a 403');
    } catch (err) {
      assert.ok(err instanceof DomainError);
      assert.equal(httpStatusOf(err.code), 403);
      assert.match(err.message, /study:read/);
    }
  });

  it('derives permissions from roles, not from a permissions list on the request', () => {
    const forged = { username: 'x', roles: ['viewer-service'], permissions: ['admin'] };
    const guard = new PermissionGuard(reflector({ [PERMISSION_KEY]: 'admin' }));
    assert.equal(statusOf(() => guard.canActivate(context(forged))), 403);
  });

  it('answers 401 when no user is on the request', () => {
    const guard = new PermissionGuard(reflector({ [PERMISSION_KEY]: 'admin' }));
    assert.equal(statusOf(() => guard.canActivate(context(undefined))), 401);
  });

  it('skips @Public routes and non-HTTP contexts', () => {
    const guard = new PermissionGuard(reflector({ [PERMISSION_KEY]: 'admin', [IS_PUBLIC_KEY]: true }));
    assert.equal(guard.canActivate(context(undefined)), true);
    const rpc = new PermissionGuard(reflector({ [PERMISSION_KEY]: 'admin' }));
    assert.equal(rpc.canActivate(context(undefined, 'rpc')), true);
  });
});
