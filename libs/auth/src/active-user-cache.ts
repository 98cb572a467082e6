import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { UsersRepository } from './users.repository';

export interface ActiveUser {
  username: string;
  roles: string[];
}

/**
 * The user row behind a local token, looked up on each request and cached for
 * PACS_AUTH_USER_CACHE_SECONDS: disabling a user, deleting it or changing its roles takes effect
 * within that time on every node (at once on the node that made the change), without
 * revocation lists. Null for a disabled or unknown user.
 */
@Injectable()
export class ActiveUserCache {
  private readonly entries = new Map<string, { user: ActiveUser | null; until: number }>();
  private readonly ttlMs: number;

  constructor(
    private readonly users: UsersRepository,
    config: PacsConfig,
  ) {
    this.ttlMs = config.security.userCacheSeconds * 1000;
  }

  async get(username: string): Promise<ActiveUser | null> {
    const hit = this.entries.get(username);
    if (hit && hit.until > this.now()) return hit.user;
    const row = await this.users.findByUsername(username);
    const user = row && !row.disabled ? { username: row.username, roles: row.roles } : null;
    if (this.ttlMs > 0) {
      // Bounded: a burst of distinct usernames cannot grow the map without limit.
      if (this.entries.size >= 10_000) this.entries.clear();
      this.entries.set(username, { user, until: this.now() + this.ttlMs });
    }
    return user;
  }

  /** The clock, overridable in tests. */
  protected now(): number {
    return Date.now();
  }

  invalidate(username: string): void {
    this.entries.delete(username);
  }
}
