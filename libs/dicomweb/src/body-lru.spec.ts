import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyLru } from './body-lru';

describe('per-node plain metadata bodies (BodyLru)', () => {
  it('evicts the least recently used bodies beyond its byte budget', () => {
    const lru = new BodyLru(40);
    lru.set('a', Buffer.alloc(10));
    lru.set('b', Buffer.alloc(10));
    lru.set('c', Buffer.alloc(10));
    assert.ok(lru.get('a'));
    lru.set('d', Buffer.alloc(10));
    lru.set('e', Buffer.alloc(10));
    assert.equal(lru.get('b'), undefined);
    assert.ok(lru.get('a') && lru.get('c') && lru.get('d') && lru.get('e'));
  });

  it('does not keep a body larger than a quarter of the budget', () => {
    const lru = new BodyLru(40);
    lru.set('big', Buffer.alloc(11));
    assert.equal(lru.get('big'), undefined);
  });
});
