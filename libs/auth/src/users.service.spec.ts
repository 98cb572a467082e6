import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PacsConfig } from '@pacs/config';
import { DomainError } from '@pacs/errors';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { NewUser, UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** In-memory stand-in for the repository. */
class FakeUsers {
  rows = new Map<string, UserEntity>();
  findByUsername = async (username: string) => this.rows.get(username) ?? null;
  list = async () => [...this.rows.values()];
  insert = async (user: NewUser) => {
    if (this.rows.has(user.username)) return null;
    const row = Object.assign(new UserEntity(), user, { id: String(this.rows.size + 1), disabled: false });
    this.rows.set(user.username, row);
    return row;
  };
  setDisabled = async (username: string, disabled: boolean) => {
    const row = this.rows.get(username);
    if (row) row.disabled = disabled;
    return !!row;
  };
}

// Reversible fake hash: keeps the tests free of the native argon2 module.
const hasher = {
  hash: async (pw: string) => `hash:${pw}`,
  verify: async (hash: string, pw: string) => hash === `hash:${pw}`,
} as PasswordHasher;

function config(adminPassword: string | null): PacsConfig {
  return { auth: { adminPassword, jwtSecret: null, tokenTtlSeconds: 3600 } } as PacsConfig;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err) => err instanceof DomainError && err.code === code);
}

describe('UsersService', () => {
  let users: FakeUsers;
  let service: UsersService;
  beforeEach(() => {
    users = new FakeUsers();
    service = new UsersService(users as unknown as UsersRepository, hasher, config('admin-pass-1'));
  });

  it('creates a user with a hashed password', async () => {
    const user = await service.createUser('tech.1@site', 'password1', ['technologist']);
    assert.deepEqual(user.roles, ['technologist']);
    assert.equal(user.passwordHash, 'hash:password1');
  });

  it('refuses bad usernames, short passwords and unknown or missing roles', async () => {
    await rejectsWith(service.createUser('', 'password1', ['ris']), 'invalid-user');
    await rejectsWith(service.createUser('has space', 'password1', ['ris']), 'invalid-user');
    await rejectsWith(service.createUser('x'.repeat(65), 'password1', ['ris']), 'invalid-user');
    await rejectsWith(service.createUser('bob', 'short', ['ris']), 'invalid-user');
    await rejectsWith(service.createUser('bob', 'password1', ['root']), 'invalid-user');
    await rejectsWith(service.createUser('bob', 'password1', []), 'invalid-user');
  });

  it('refuses a duplicate username', async () => {
    await service.createUser('bob', 'password1', ['ris']);
    await rejectsWith(service.createUser('bob', 'password2', ['ris']), 'user-exists');
  });

  it('reports user-exists when another node inserts first', async () => {
    users.findByUsername = async () => null;
    users.insert = async () => null;
    await rejectsWith(service.createUser('bob', 'password1', ['ris']), 'user-exists');
  });

  it('verifies the right password only, and never for a disabled or unknown user', async () => {
    await service.createUser('bob', 'password1', ['ris']);
    assert.equal((await service.verifyPassword('bob', 'password1'))?.username, 'bob');
    assert.equal(await service.verifyPassword('bob', 'password2'), null);
    assert.equal(await service.verifyPassword('nobody', 'password1'), null);
    await service.setDisabled('bob', true);
    assert.equal(await service.verifyPassword('bob', 'password1'), null);
  });

  it('creates admin from the configured password without printing it', async (t) => {
    const write = t.mock.method(process.stdout, 'write', () => true);
    await service.ensureAdmin();
    assert.equal(write.mock.callCount(), 0);
    assert.deepEqual(users.rows.get('admin')?.roles, ['admin']);
    assert.ok(await service.verifyPassword('admin', 'admin-pass-1'));
  });

  it('generates an admin password, prints it once, and leaves an existing admin alone', async (t) => {
    service = new UsersService(users as unknown as UsersRepository, hasher, config(null));
    const lines: string[] = [];
    t.mock.method(process.stdout, 'write', (s: string) => lines.push(s) > 0);
    await service.ensureAdmin();
    await service.ensureAdmin();
    assert.equal(lines.length, 1);
    const match = /^Created user "admin" with password: (\S+) \(shown once\)\n$/.exec(lines[0]);
    assert.ok(match);
    assert.ok(await service.verifyPassword('admin', match[1]));
  });
});
