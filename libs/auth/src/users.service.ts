import { Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { PacsConfig } from '@pacs/config';
import { DomainError } from '@pacs/errors';
import { ActiveUserCache } from './active-user-cache';
import { isRole, Role, ROLES } from './permissions';
import { PasswordHasher } from './password-hasher';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
export const MIN_PASSWORD_LENGTH = 8;
// Bounds the hashing work one request can ask for.
export const MAX_PASSWORD_LENGTH = 1024;
const ADMIN = 'admin';

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  // Hash checked when the user is unknown, so a login costs the same whether or not the user exists.
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly config: PacsConfig,
    // Told about changes so this node applies them to live tokens at once.
    @Optional() private readonly activeUsers?: ActiveUserCache,
  ) {}

  /** Creates an enabled user; throws DomainError 'invalid-user' or 'user-exists'. */
  async createUser(username: string, password: string, roles: readonly string[]): Promise<UserEntity> {
    const validRoles = checkNewUser(username, password, roles);
    if (await this.users.findByUsername(username)) throw userExists(username);
    const created = await this.users.insert({ username, passwordHash: await this.hasher.hash(password), roles: validRoles });
    if (!created) throw userExists(username);
    return created;
  }

  /** The user when the password matches and the user is enabled; null otherwise. */
  async verifyPassword(username: string, password: string): Promise<UserEntity | null> {
    const user = USERNAME_PATTERN.test(username) ? await this.users.findByUsername(username) : null;
    const ok = await this.hasher.verify(user?.passwordHash ?? (await this.decoy()), password);
    return user && ok && !user.disabled ? user : null;
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findByUsername(username);
  }

  listUsers(): Promise<UserEntity[]> {
    return this.users.list();
  }

  /**
   * Enables or disables a user; a disabled user can neither log in nor use tokens already issued
   * (on other nodes as soon as they hear of it: ActiveUserCache). Throws 'user-not-found'.
   */
  async setDisabled(username: string, disabled: boolean): Promise<void> {
    if (!(await this.users.setDisabled(username, disabled))) throw userNotFound(username);
    await this.activeUsers?.invalidate(username);
  }

  /** Replaces the roles; tokens already issued carry the new roles too. Throws 'invalid-user', 'user-not-found'. */
  async setRoles(username: string, roles: readonly string[]): Promise<void> {
    const valid = checkRoles(roles);
    if (!(await this.users.setRoles(username, valid))) throw userNotFound(username);
    await this.activeUsers?.invalidate(username);
  }

  /** Sets a new password (an administrator's reset). Throws 'invalid-user', 'user-not-found'. */
  async resetPassword(username: string, password: string): Promise<void> {
    checkPassword(password);
    if (!(await this.users.setPasswordHash(username, await this.hasher.hash(password)))) throw userNotFound(username);
  }

  /** The user; throws 'user-not-found'. */
  async getUser(username: string): Promise<UserEntity> {
    const user = await this.users.findByUsername(username);
    if (!user) throw userNotFound(username);
    return user;
  }

  onApplicationBootstrap(): Promise<void> {
    return this.ensureAdmin();
  }

  /**
   * Creates user `admin` on first start, with PACS_ADMIN_PASSWORD or a generated password that is
   * printed once to stdout (never logged). Another node creating it at the same time is fine.
   */
  async ensureAdmin(): Promise<void> {
    if (await this.users.findByUsername(ADMIN)) return;
    const configured = this.config.auth.adminPassword;
    const password = configured ?? randomBytes(12).toString('base64url');
    const created = await this.users.insert({ username: ADMIN, passwordHash: await this.hasher.hash(password), roles: [ADMIN] });
    if (created && configured === null) {
      process.stdout.write(`Created user "${ADMIN}" with password: ${password} (shown once)\n`);
    }
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= this.hasher.hash(randomBytes(16).toString('hex'));
    return this.decoyHash;
  }
}

function checkNewUser(username: string, password: string, roles: readonly string[]): Role[] {
  if (typeof username !== 'string' || !USERNAME_PATTERN.test(username)) {
    throw new DomainError('invalid-user', 'Username must be 1-64 characters of A-Z a-z 0-9 . _ @ -');
  }
  checkPassword(password);
  return checkRoles(roles);
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new DomainError('invalid-user', `Password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`);
  }
}

function checkRoles(roles: readonly string[]): Role[] {
  const unknown = roles.filter((r) => !isRole(r));
  if (!Array.isArray(roles) || roles.length === 0 || unknown.length > 0) {
    throw new DomainError('invalid-user', `Roles must be one or more of: ${ROLES.join(', ')}`);
  }
  return [...new Set(roles as Role[])];
}

function userNotFound(username: string): DomainError {
  return new DomainError('user-not-found', `User "${username}" does not exist`);
}

function userExists(username: string): DomainError {
  return new DomainError('user-exists', `User "${username}" already exists`);
}
