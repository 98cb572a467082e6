import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { ChangeNotices } from '@pacs/database';
import { UsersRepository } from './users.repository';

export interface ActiveUser {
  username: string;
  roles: string[];
}

/** Announced when a user is disabled, deleted or gets other roles: every node drops its cache. */
const USERS_CHANNEL = 'pacs_users';

/**
 * The user row behind a local token, looked up on each request and cached for
 * PACS_AUTH_USER_CACHE_SECONDS, without revocation lists. Disabling a user, deleting it or
 * changing its roles takes effect at once on the node that made the change and on the others as
 * soon as they hear the announcement (ChangeNotices); the time to live bounds it should a node
 * miss one. Null for a disabled or unknown user.
 */
@Injectable()
export class ActiveUserCache implements OnModuleInit {
  private readonly log = new Logger('ActiveUserCache');
  private readonly entries = new Map<string, { user: ActiveUser | null; until: number }>();
  private readonly ttlMs: number;

  constructor(
    private readonly users: UsersRepository,
    config: PacsConfig,
    @Optional() private readonly notices?: ChangeNotices,
  ) {
    this.ttlMs = config.security.userCacheSeconds * 1000;
  }

  async onModuleInit(): Promise<void> {
    await this.notices?.listen(USERS_CHANNEL, () => this.entries.clear());
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

  /** After a change of the user: this node forgets it now, the others when they hear of it. */
  async invalidate(username: string): Promise<void> {
    this.entries.delete(username);
    await this.notices?.announce(USERS_CHANNEL).catch((err: Error) => this.log.warn({ err: err.message }, 'user change not announced'));
  }
}
