import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isValidUid } from './uid';

describe('isValidUid (PS3.5 9.1)', () => {
  it('accepts well-formed UIDs up to 64 characters', () => {
    for (const uid of ['1.2.840.10008.1.2', '0', '1.0.3', '2.25.' + '1'.repeat(59)]) assert.ok(isValidUid(uid), uid);
  });

  it('rejects empty, too long, leading zeros, bad characters, empty components and NUL padding', () => {
    const bad = ['', '2.25.' + '1'.repeat(60), '1.02.3', '1..2', '.1.2', '1.2.', '1.2.a', '1.2 ', '1.2.3\0', ' 1.2'];
    for (const uid of bad) assert.equal(isValidUid(uid), false, JSON.stringify(uid));
  });
});
