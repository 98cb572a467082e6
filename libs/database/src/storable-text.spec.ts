import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isStorableText, storableText, storableValue } from './storable-text';

describe('storable text (what PostgreSQL text and jsonb can hold)', () => {
  it('writes NUL and unpaired surrogates as their visible escapes, and keeps everything else', () => {
    assert.equal(storableText('PA\0CS'), 'PA\\u0000CS');
    assert.equal(storableText('\0\0'), '\\u0000\\u0000');
    assert.equal(storableText('a\ud800b'), 'a\\ud800b');
    assert.equal(storableText('a\udc00'), 'a\\udc00');
    assert.equal(storableText('\udc00\ud800'), '\\udc00\\ud800');
    assert.equal(storableText('Müller^Hans 山田 😀 \u0001 \\'), 'Müller^Hans 山田 😀 \u0001 \\');
  });

  it('tells storable from unstorable text', () => {
    assert.equal(isStorableText('admin'), true);
    assert.equal(isStorableText('😀'), true);
    assert.equal(isStorableText('ad\0min'), false);
    assert.equal(isStorableText('\ud83d'), false);
  });

  it('makes every string of a nested value storable, keys included, and keeps other values', () => {
    const when = new Date(0);
    const value = { 'k\0': ['a\0', 1, null, { deep: 'x\ud800' }], n: 4, when, none: undefined };
    assert.deepEqual(storableValue(value), { 'k\\u0000': ['a\\u0000', 1, null, { deep: 'x\\ud800' }], n: 4, when, none: undefined });
  });
});
