import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HttpErrorFilter } from '../../../apps/pacs-server/src/http-error.filter';
import { requestValidationPipe } from '../../../apps/pacs-server/src/validation';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigModule, loadConfig } from '@pacs/config';
import { DatabaseHandle, DatabaseModule } from '@pacs/database';
import { testDatabase } from '../../../test/support/test-database';
import { AuthModule } from './auth.module';
import { CurrentUser, RequirePermission } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { UsersService } from './users.service';

@Controller('probe')
class ProbeController {
  @Get('admin')
  @RequirePermission('admin')
  admin(@CurrentUser() user: AuthUser) {
    return { username: user.username };
  }

  // A permission both the admin and the auditor of these tests hold.
  @Get('plain')
  @RequirePermission('audit:read')
  plain(@CurrentUser() user: AuthUser) {
    return user;
  }

  // Declares no permission: closed to everyone (deny by default).
  @Get('undeclared')
  undeclared() {
    return { open: true };
  }
}

describe('auth over HTTP with a real PostgreSQL', () => {
  let dataDir: string;
  let database: DatabaseHandle;
  let app: NestFastifyApplication;
  let base: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pacs-auth-'));
    database = await testDatabase();
    const config = loadConfig({
      ...process.env,
      PACS_DATA_DIR: dataDir,
      PACS_ADMIN_PASSWORD: 'secret-pass-1',
      PACS_JWT_SECRET: '0123456789abcdef0123',
    });
    @Module({
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(database.url), AuthModule],
      controllers: [ProbeController],
    })
    class TestModule {}
    app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
    // The server's HTTP boundary, as apps/pacs-server installs it.
    app.useGlobalFilters(new HttpErrorFilter());
    app.useGlobalPipes(requestValidationPipe());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await app?.close();
    await database?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, token?: string) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const get = (path: string, token?: string) =>
    fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  async function login(username: string, password: string): Promise<string> {
    const res = await post('/api/auth/token', { username, password });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(body.token_type, 'Bearer');
    assert.ok(body.expires_in > 0);
    return body.access_token;
  }

  it('answers 401 with a JSON message without a token or with a bad one', async () => {
    for (const token of [undefined, 'not-a-jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.AAAA']) {
      const res = await get('/probe/plain', token);
      assert.equal(res.status, 401);
      const body = (await res.json()) as { message: string };
      assert.equal(typeof body.message, 'string');
    }
  });

  it('bootstraps admin from PACS_ADMIN_PASSWORD and lets it reach an admin route', async () => {
    const token = await login('admin', 'secret-pass-1');
    const res = await get('/probe/admin', token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { username: 'admin' });
    const plain = (await (await get('/probe/plain', token)).json()) as AuthUser;
    assert.deepEqual(plain.roles, ['admin']);
    assert.ok(plain.permissions.includes('study:delete'));
    const undeclared = await get('/probe/undeclared', token);
    assert.equal(undeclared.status, 403, 'a route without @RequirePermission is closed, even to admin');
    assert.match(((await undeclared.json()) as { message: string }).message, /declares no permission/);
  });

  it('refuses a wrong password with 401 invalid-credentials', async () => {
    const res = await post('/api/auth/token', { username: 'admin', password: 'wrong-pass-1' });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid-credentials');
  });

  it('rejects a malformed token request with 400', async () => {
    const res = await post('/api/auth/token', { username: 'admin' });
    assert.equal(res.status, 400);
  });

  it('creates an auditor who gets a token but 403 on the admin route', async () => {
    const admin = await login('admin', 'secret-pass-1');
    const created = await post('/api/users', { username: 'audrey', password: 'auditor-pass', roles: ['auditor'] }, admin);
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { username: 'audrey', roles: ['auditor'], disabled: false });
    const token = await login('audrey', 'auditor-pass');
    const res = await get('/probe/admin', token);
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { message: string }).message, /'admin'/);
    assert.equal((await get('/probe/plain', token)).status, 200);
    assert.equal((await get('/api/users', token)).status, 403);
  });

  it('answers 409 for a duplicate username and 400 for an unknown role', async () => {
    const admin = await login('admin', 'secret-pass-1');
    const user = { username: 'dup.user', password: 'dup-pass-123', roles: ['ris'] };
    assert.equal((await post('/api/users', user, admin)).status, 201);
    const again = await post('/api/users', user, admin);
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { error: string }).error, 'user-exists');
    assert.equal((await post('/api/users', { ...user, username: 'x2', roles: ['root'] }, admin)).status, 400);
  });

  it('lists users without password hashes', async () => {
    const admin = await login('admin', 'secret-pass-1');
    const res = await get('/api/users', admin);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.doesNotMatch(text, /argon2|hash/i);
    assert.ok((JSON.parse(text) as { username: string }[]).some((u) => u.username === 'admin'));
  });

  it('refuses login to a disabled user', async () => {
    const admin = await login('admin', 'secret-pass-1');
    await post('/api/users', { username: 'leaver', password: 'leaver-pass', roles: ['radiologist'] }, admin);
    await login('leaver', 'leaver-pass');
    await app.get(UsersService).setDisabled('leaver', true);
    const res = await post('/api/auth/token', { username: 'leaver', password: 'leaver-pass' });
    assert.equal(res.status, 401);
  });
});
