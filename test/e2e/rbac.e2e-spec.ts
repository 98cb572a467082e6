// Role-based access, generated from the route table: every operation of the OpenAPI document
// (which Nest builds from every controller) must declare x-pacs-permission or x-pacs-public,
// and every role is tried on every route: 403 with the permission named exactly when the
// role's permissions lack it. Routes added later are picked up without editing this file.
// Also: user management (create, change roles, disable, reset password) and login throttling.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rolePermissions, ROLES } from '@pacs/auth';
import type { Role } from '@pacs/auth';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

interface Operation {
  method: string;
  path: string;
  permission?: string;
  public?: boolean;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
/** A value every path parameter accepts syntactically (UID, username, AE title) and that names nothing stored. */
const NOTHING = '1.2.3.999999';

describe('RBAC: role × route matrix from the OpenAPI route table', () => {
  let server: TestServer;
  let admin: string;
  const tokens = new Map<Role, string>();
  let operations: Operation[] = [];

  before(async () => {
    server = await startTestServer({
      env: { PACS_LOGIN_MAX_FAILURES: '3', PACS_LOGIN_MAX_FAILURES_PER_ADDRESS: '6', PACS_LOGIN_WINDOW_SECONDS: '600' },
    });
    admin = await server.token();
    for (const role of ROLES) {
      const username = `user-${role}`;
      const res = await api('POST', '/api/users', { username, password: 'password-123', roles: [role] });
      assert.equal(res.status, 201, res.body.toString());
      tokens.set(role, await server.token(username, 'password-123'));
    }
    const doc = (await http(`${server.httpUrl}/api/docs-json`)).json();
    for (const [path, item] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const op = item[method];
        operations.push({ method: method.toUpperCase(), path, permission: op['x-pacs-permission'] as string | undefined, public: op['x-pacs-public'] === true });
      }
    }
  });
  after(async () => {
    await server?.stop();
  });

  function api(method: string, path: string, body?: unknown, token = admin, headers: Record<string, string> = {}) {
    return http(`${server.httpUrl}${path}`, {
      method,
      token,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    });
  }

  const concrete = (path: string) => path.replace(/\{[^}]+\}/g, NOTHING);
  /** No token when `token` is ''. */
  const call = (op: Operation, token: string) => api(op.method, concrete(op.path), ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined, token);

  it('finds the routes, and every one declares a permission or @Public', () => {
    assert.ok(operations.length >= 10, `only ${operations.length} operations in /api/docs-json`);
    for (const must of ['GET /dicomweb/studies', 'DELETE /dicomweb/studies/{study}', 'POST /api/users', 'PATCH /api/users/{username}']) {
      assert.ok(operations.some((o) => `${o.method} ${o.path}` === must), `${must} is missing from the route table`);
    }
    const undeclared = operations.filter((o) => !o.permission && !o.public).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(undeclared, [], 'routes without @RequirePermission or @Public');
  });

  it('answers every protected route with 401 without a token', async () => {
    for (const op of operations.filter((o) => !o.public)) {
      assert.equal((await call(op, '')).status, 401, `${op.method} ${op.path}`);
    }
  });

  it('lets every role through exactly the routes its permissions cover (403 naming the permission otherwise)', async () => {
    const wrong: string[] = [];
    for (const op of operations.filter((o) => !o.public)) {
      for (const role of ROLES) {
        const res = await call(op, tokens.get(role) ?? '');
        const allowed = rolePermissions(role).includes(op.permission as never);
        const label = `${role} ${op.method} ${op.path} (${op.permission}) → ${res.status}`;
        if (allowed && (res.status === 403 || res.status === 401)) wrong.push(label);
        if (!allowed && res.status !== 403) wrong.push(label);
        if (!allowed && res.status === 403 && !String(res.json().message).includes(`'${op.permission}'`)) wrong.push(`${label}: message ${res.body}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('keeps auditors away from images and viewers away from deletion (spot checks of the catalogue)', async () => {
    assert.equal((await api('GET', '/dicomweb/studies', undefined, tokens.get('auditor'))).status, 403);
    assert.equal((await api('DELETE', `/dicomweb/studies/${NOTHING}`, undefined, tokens.get('radiologist'))).status, 403);
    assert.equal((await api('DELETE', `/dicomweb/studies/${NOTHING}`, undefined, tokens.get('admin'))).status, 404);
  });

  it('opens public routes without a token', async () => {
    for (const op of operations.filter((o) => o.public)) {
      const res = await call(op, '');
      assert.ok(res.status !== 401 && res.status !== 403, `${op.method} ${op.path} → ${res.status}`);
    }
  });

  // Last in this block: it leaves the loopback address throttled.
  it('counts failed logins by the connection address when no proxy is trusted, whatever X-Forwarded-For says', async () => {
    const login = (username: string, password: string, forwardedFor: string) =>
      http(`${server.httpUrl}/api/auth/token`, {
        method: 'POST',
        body: JSON.stringify({ username, password }),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      });
    for (let i = 0; i < 6; i++) assert.equal((await login(`ghost${i}`, 'wrong-password', `10.3.0.${i}`)).status, 401);
    const limited = await login(`user-${ROLES[0]}`, 'password-123', '10.3.0.99');
    assert.equal(limited.status, 429, 'a fresh X-Forwarded-For must not reset the limit of the real address');
  });
});

describe('User management and login throttling', () => {
  let server: TestServer;
  let admin: string;

  before(async () => {
    server = await startTestServer({
      // The test client stands in for a reverse proxy on loopback that reports each client's address.
      env: { PACS_LOGIN_MAX_FAILURES: '3', PACS_LOGIN_MAX_FAILURES_PER_ADDRESS: '5', PACS_LOGIN_WINDOW_SECONDS: '600', PACS_HTTP_TRUSTED_PROXIES: 'loopback' },
    });
    admin = await server.token();
  });
  after(async () => {
    await server?.stop();
  });

  const api = (method: string, path: string, body?: unknown, token = admin) =>
    http(`${server.httpUrl}${path}`, { method, token, body: body === undefined ? undefined : JSON.stringify(body), headers: body === undefined ? {} : { 'content-type': 'application/json' } });
  const login = (username: string, password: string, address: string) =>
    http(`${server.httpUrl}/api/auth/token`, {
      method: 'POST',
      body: JSON.stringify({ username, password }),
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    });

  it('creates a user, changes its roles (live tokens follow), disables it (its token stops working) and enables it again', async () => {
    assert.equal((await api('POST', '/api/users', { username: 'carol', password: 'password-123', roles: ['viewer-service'] })).status, 201);
    const token = await server.token('carol', 'password-123');
    assert.equal((await api('GET', '/dicomweb/studies', undefined, token)).status, 200);
    assert.equal((await api('GET', '/api/users', undefined, token)).status, 403);

    const promoted = await api('PATCH', '/api/users/carol', { roles: ['auditor'] });
    assert.deepEqual(promoted.json(), { username: 'carol', roles: ['auditor'], disabled: false });
    assert.equal((await api('GET', '/dicomweb/studies', undefined, token)).status, 403, 'the old token carries the new roles');

    assert.equal((await api('PATCH', '/api/users/carol', { disabled: true })).json().disabled, true);
    const refused = await api('GET', '/api/users', undefined, token);
    assert.equal(refused.status, 401);
    assert.equal((await login('carol', 'password-123', '10.0.0.1')).status, 401);

    await api('PATCH', '/api/users/carol', { disabled: false, roles: ['viewer-service'] });
    assert.equal((await api('GET', '/dicomweb/studies', undefined, token)).status, 200);
  });

  it('resets a password: the old one stops working, the new one works', async () => {
    await api('POST', '/api/users', { username: 'dave', password: 'password-123', roles: ['ris'] });
    assert.equal((await api('POST', '/api/users/dave/password', { password: 'brand-new-secret' })).status, 204);
    assert.equal((await login('dave', 'password-123', '10.0.0.2')).status, 401);
    assert.equal((await login('dave', 'brand-new-secret', '10.0.0.2')).status, 200);
  });

  it('answers 404 for an unknown user and 400 for an unknown role', async () => {
    assert.equal((await api('PATCH', '/api/users/nobody', { disabled: true })).status, 404);
    assert.equal((await api('POST', '/api/users/nobody/password', { password: 'password-123' })).status, 404);
    assert.equal((await api('PATCH', '/api/users/dave', { roles: ['root'] })).status, 400);
  });

  it('throttles a username after 3 failures (429 with Retry-After, even with the right password)', async () => {
    await api('POST', '/api/users', { username: 'erin', password: 'password-123', roles: ['ris'] });
    for (let i = 0; i < 3; i++) assert.equal((await login('erin', 'wrong-password', `10.1.0.${i}`)).status, 401);
    const limited = await login('erin', 'password-123', '10.1.0.9');
    assert.equal(limited.status, 429);
    assert.equal(limited.json().error, 'too-many-attempts');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter}`);
    assert.equal((await login('dave', 'brand-new-secret', '10.1.0.9')).status, 200, 'other users are not affected');
  });

  it('throttles an address after 5 failures across usernames; other addresses still log in', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login(`ghost${i}`, 'wrong-password', '10.2.0.1')).status, 401);
    const limited = await login('dave', 'brand-new-secret', '10.2.0.1');
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal((await login('dave', 'brand-new-secret', '10.2.0.2')).status, 200);
  });
});
