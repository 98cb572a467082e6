import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fragment, framesFromFragments } from './encapsulated-frames';

/** Fragments of the given lengths laid out after an offset table item of `botLength` bytes. */
function layout(lengths: number[], botLength: number): Fragment[] {
  let itemOffset = 8 + botLength;
  return lengths.map((length) => {
    const f = { offset: itemOffset + 8, length, itemOffset };
    itemOffset += 8 + length;
    return f;
  });
}

describe('encapsulated Pixel Data frames (PS3.5 A.4)', () => {
  it('a single frame takes every fragment', () => {
    const f = layout([10, 20, 30], 0);
    assert.deepEqual(framesFromFragments(f, [], 1), [f]);
  });

  it('the Basic Offset Table gives each frame its fragments, counted from the first fragment item', () => {
    const f = layout([10, 20, 30, 40], 8);
    // Frame 1: fragments 0 and 1 (8+10 + 8+20 = 46 bytes), frame 2: fragments 2 and 3.
    assert.deepEqual(framesFromFragments(f, [0, 46], 2), [[f[0], f[1]], [f[2], f[3]]]);
  });

  it('without an offset table, one fragment per frame when the counts agree', () => {
    const f = layout([10, 20, 30], 0);
    assert.deepEqual(framesFromFragments(f, [], 3), [[f[0]], [f[1]], [f[2]]]);
  });

  it('without an offset table and with more fragments than frames, codestream starts split the frames', () => {
    const f = layout([10, 20, 30, 40], 0);
    assert.deepEqual(framesFromFragments(f, [], 2, [true, false, true, false]), [[f[0], f[1]], [f[2], f[3]]]);
    assert.throws(() => framesFromFragments(f, [], 3, [true, false, true, false]), /cannot tell the 3 frames apart/);
  });

  it('an offset table pointing inside a fragment is refused', () => {
    const f = layout([10, 20], 8);
    assert.throws(() => framesFromFragments(f, [0, 5], 2), /points between fragments/);
  });
});
