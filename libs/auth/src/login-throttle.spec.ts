import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PacsConfig } from '@pacs/config';
import { LoginThrottle } from './login-throttle';

class ClockedThrottle extends LoginThrottle {
  t = 1_000_000;
  protected override now(): number {
    return this.t;
  }
}

function throttle(): ClockedThrottle {
  const config = { security: { loginMaxFailuresPerUser: 3, loginMaxFailuresPerAddress: 5, loginWindowSeconds: 60 } } as PacsConfig;
  return new ClockedThrottle(config);
}

describe('LoginThrottle', () => {
  it('allows attempts until a user reaches the limit, then asks to wait until the oldest failure ages out', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) {
      assert.equal(t.retryAfter('bob', `10.0.0.${i}`), 0);
      t.recordFailure('bob', `10.0.0.${i}`);
      t.t += 10_000;
    }
    assert.equal(t.retryAfter('bob', '10.9.9.9'), 30);
    t.t += 30_000;
    assert.equal(t.retryAfter('bob', '10.9.9.9'), 0);
  });

  it('limits an address across usernames, and a success clears only the user count', () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) t.recordFailure(`u${i}`, '10.0.0.1');
    assert.equal(t.retryAfter('someone', '10.0.0.1'), 60);
    assert.equal(t.retryAfter('someone', '10.0.0.2'), 0);
    t.recordFailure('bob', '10.0.0.3');
    t.recordFailure('bob', '10.0.0.3');
    t.recordSuccess('bob');
    t.recordFailure('bob', '10.0.0.4');
    assert.equal(t.retryAfter('bob', '10.0.0.4'), 0);
  });
});
