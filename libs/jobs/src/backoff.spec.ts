import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from './backoff';

describe('job retry backoff', () => {
  it('doubles after each failed attempt, from the base', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelayMs(n, 10_000, 3_600_000)), [10_000, 20_000, 40_000, 80_000]);
  });

  it('never waits longer than the maximum, however many attempts failed', () => {
    assert.equal(retryDelayMs(12, 10_000, 3_600_000), 3_600_000);
    assert.equal(retryDelayMs(1000, 10_000, 3_600_000), 3_600_000);
  });
});
