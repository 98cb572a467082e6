import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scrapeAccess } from './scrape-access';

describe('scrapeAccess', () => {
  const token = 'scrape-token-0123456789';

  it('is off without a configured token, whatever is sent', () => {
    assert.equal(scrapeAccess(null, `Bearer ${token}`), 'disabled');
    assert.equal(scrapeAccess(null, undefined), 'disabled');
  });

  it('allows exactly the configured bearer token (scheme in any case)', () => {
    assert.equal(scrapeAccess(token, `Bearer ${token}`), 'allowed');
    assert.equal(scrapeAccess(token, `bearer ${token}`), 'allowed');
  });

  it('refuses anything else', () => {
    for (const header of [undefined, '', token, `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, 'Bearer ']) {
      assert.equal(scrapeAccess(token, header), 'unauthenticated', String(header));
    }
  });
});
