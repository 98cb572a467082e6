import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonDepth } from './json-body';

const depth = (text: string, max = 64) => jsonDepth(Buffer.from(text), max);

describe('JSON body nesting depth', () => {
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    assert.equal(depth('{"a": [1, {"b": []}]}'), 4);
    assert.equal(depth('{"a": "[[[{{{\\"[[["}'), 1);
    assert.equal(depth('"é [ ü"'), 0);
  });

  it('stops one level past the limit, however deep the text goes', () => {
    assert.equal(depth('['.repeat(100_000) + ']'.repeat(100_000), 64), 65);
  });
});
