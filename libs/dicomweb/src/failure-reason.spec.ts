import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailureReason, failureReasonOf } from './failure-reason';

describe('STOW-RS failure reasons (PS3.18 10.5.3)', () => {
  const cases: [Parameters<typeof failureReasonOf>[0], number][] = [
    ['unparsable', 0xc000],
    ['unsupported-part-type', 0xc000],
    ['missing-attribute', 0xa900],
    ['invalid-uid', 0xa900],
    ['sop-class-mismatch', 0xa900],
    ['sop-instance-mismatch', 0xa900],
    ['study-mismatch', 0xa900],
    ['sop-class-not-supported', 0x0122],
    ['duplicate-rejected', 0x0111],
    ['too-large', 0xa700],
    ['out-of-space', 0xa700],
    ['storage-failure', 0xa700],
    ['write-failed', 0xa700],
    ['processing-failure', 0x0110],
  ];
  for (const [failure, reason] of cases) {
    it(`maps ${failure} to 0x${reason.toString(16).toUpperCase().padStart(4, '0')}`, () => {
      assert.equal(failureReasonOf(failure), reason);
    });
  }

  it('uses only the named constants', () => {
    const named = new Set<number>(Object.values(FailureReason));
    for (const [failure] of cases) assert.ok(named.has(failureReasonOf(failure)));
  });
});
