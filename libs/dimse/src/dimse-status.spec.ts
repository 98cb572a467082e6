import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IngestErrorCode } from '@pacs/index';
import { DimseStatus, errorComment, statusForIngestError } from './dimse-status';

// A Record over the union: the compiler fails this spec when a new IngestErrorCode is not listed.
const EXPECTED: Record<IngestErrorCode, number> = {
  unparsable: 0xc000,
  'missing-attribute': 0xa900,
  'invalid-uid': 0xa900,
  'sop-class-mismatch': 0xa900,
  'sop-instance-mismatch': 0xa900,
  'study-mismatch': 0xa900,
  'sop-class-not-supported': 0x0122,
  'too-large': 0xa700,
  'out-of-space': 0xa700,
  'duplicate-rejected': 0x0111,
  'storage-failure': 0xa700,
};

/** PS3.4 B.2.3 / PS3.7 C: failure statuses are neither Success (0000), Warning (Bxxx, 0001, 0107, 0116) nor Pending/Cancel. */
function isFailure(status: number): boolean {
  return status !== 0 && (status & 0xf000) !== 0xb000 && status < 0xfe00 && ![0x0001, 0x0107, 0x0116].includes(status);
}

describe('statusForIngestError (PS3.4 B.2.3)', () => {
  for (const [code, status] of Object.entries(EXPECTED)) {
    it(`maps ${code} to 0x${status.toString(16).padStart(4, '0')}, a failure status`, () => {
      assert.equal(statusForIngestError(code as IngestErrorCode), status);
      assert.ok(isFailure(statusForIngestError(code as IngestErrorCode)));
    });
  }

  it('maps anything unknown to Processing failure 0x0110', () => {
    assert.equal(statusForIngestError('no-such-code'), DimseStatus.ProcessingFailure);
    assert.equal(statusForIngestError(undefined), 0x0110);
  });
});

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
