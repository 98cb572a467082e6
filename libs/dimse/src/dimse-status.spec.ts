import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorComment } from './dimse-status';

describe('errorComment (0000,0902, VR LO)', () => {
  it('keeps a short message as it is', () => {
    assert.equal(errorComment('SOP Instance UID differs from the command'), 'SOP Instance UID differs from the command');
  });

  it('cuts to 64 characters', () => {
    const comment = errorComment('x'.repeat(200));
    assert.equal(comment.length, 64);
    assert.ok(comment.endsWith('...'));
  });

  it('removes backslashes, control and non-ASCII characters', () => {
    assert.equal(errorComment('a\\b\nc\té'), 'a b c');
  });
});
