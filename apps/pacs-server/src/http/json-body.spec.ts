import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonDepth, unstorableTextAt } from './json-body';

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

describe('JSON body text PostgreSQL cannot hold', () => {
  it('names the first string, key or value, holding NUL or an unpaired surrogate', () => {
    assert.equal(unstorableTextAt({ patient: { name: 'DOE^\u0000', id: 'P1' } }), 'patient.name');
    assert.equal(unstorableTextAt({ services: ['store', 'x\ud800'] }), 'services[1]');
    assert.equal(unstorableTextAt({ 'k\u0000': 1 }), 'k\u0000');
    assert.equal(unstorableTextAt('\u0000'), '(the body)');
  });

  it('passes every other text, emoji and accents included', () => {
    assert.equal(unstorableTextAt({ name: 'Müller^Zoë 🩻', list: [1, null, true, 'ok'] }), undefined);
  });
});
