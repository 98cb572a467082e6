import { Injectable } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';

/** Keys tracked at most; beyond it the oldest are dropped (a flood cannot exhaust memory). */
const MAX_KEYS = 50_000;

/**
 * Failed logins per username and per client address in a sliding window (in memory, per node).
 * Over either limit, further attempts are refused, right or wrong password, until the oldest
 * failure in the window ages out: that wait is the Retry-After. A success clears the user's count.
 */
@Injectable()
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly windowMs: number;

  constructor(private readonly config: PacsConfig) {
    this.windowMs = config.security.loginWindowSeconds * 1000;
  }

  /** Seconds to wait before another attempt, or 0 when one is allowed now. */
  retryAfter(username: string, address: string): number {
    const now = this.now();
    const user = this.waitFor(`u:${username}`, this.config.security.loginMaxFailuresPerUser, now);
    const addr = this.waitFor(`a:${address}`, this.config.security.loginMaxFailuresPerAddress, now);
    return Math.ceil(Math.max(user, addr) / 1000);
  }

  recordFailure(username: string, address: string): void {
    const now = this.now();
    for (const key of [`u:${username}`, `a:${address}`]) {
      const list = this.recent(key, now);
      list.push(now);
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }

  recordSuccess(username: string): void {
    this.failures.delete(`u:${username}`);
  }

  protected now(): number {
    return Date.now();
  }

  private waitFor(key: string, limit: number, now: number): number {
    const list = this.recent(key, now);
    if (list.length < limit) return 0;
    return list[list.length - limit] + this.windowMs - now;
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
  }
}
