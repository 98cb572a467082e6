import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DimseStatus, dimseStatusOf } from './dimse-status';
import { DomainError } from './domain-error';
import type { StoreFailureCode } from './dimse-status';
import type { ErrorCode } from './error-codes';
import { httpStatusOf } from './http-status';

// Records over the unions: the compiler fails this spec when a new code is not listed.
const DIMSE: Record<StoreFailureCode, number> = {
  unparsable: 0xc000,
  'unsupported-part-type': 0xc000,
  'missing-attribute': 0xa900,
  'invalid-uid': 0xa900,
  'sop-class-mismatch': 0xa900,
  'sop-instance-mismatch': 0xa900,
  'study-mismatch': 0xa900,
  'sop-class-not-supported': 0x0122,
  'duplicate-rejected': 0x0111,
  'instance-rejected': 0xa771,
  'too-large': 0xa700,
  'out-of-space': 0xa700,
  'storage-failure': 0xa700,
  'processing-failure': 0x0110,
};

// By status, as a client sees them; http-status.ts is a Record over ErrorCode, so no code lacks one.
const HTTP: [number, ErrorCode[]][] = [
  [400, ['unparsable', 'missing-attribute', 'invalid-uid', 'bad-query', 'bad-request', 'request-aborted', 'invalid-user', 'invalid-peer', 'invalid-worklist-item', 'invalid-routing-rule']],
  [401, ['invalid-credentials', 'unauthenticated']],
  [403, ['forbidden']],
  [404, ['not-found', 'user-not-found', 'peer-not-found', 'worklist-item-not-found', 'mpps-not-found', 'job-not-found', 'routing-rule-not-found', 'webhook-not-found']],
  [406, ['not-acceptable']],
  [409, ['sop-class-mismatch', 'sop-instance-mismatch', 'study-mismatch', 'sop-class-not-supported', 'duplicate-rejected', 'instance-rejected', 'user-exists', 'peer-exists', 'worklist-conflict', 'deid-not-configured', 'job-conflict', 'routing-rule-exists']],
  [413, ['too-large', 'payload-too-large']],
  [415, ['unsupported-media-type', 'unsupported-part-type']],
  [422, ['deid-refused']],
  [429, ['too-many-attempts']],
  [500, ['audit-unavailable', 'processing-failure']],
  [503, ['storage-failure']],
  [507, ['out-of-space']],
];

/** PS3.4 B.2.3 / PS3.7 C: failure statuses are neither Success (0000), Warning (Bxxx, 0001, 0107, 0116) nor Pending/Cancel. */
function isFailure(status: number): boolean {
  return status !== 0 && (status & 0xf000) !== 0xb000 && status < 0xfe00 && ![0x0001, 0x0107, 0x0116].includes(status);
}

const hex = (status: number) => `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;

describe('DIMSE status of an instance not stored (C-STORE status, STOW-RS Failure Reason; PS3.4 B.2.3)', () => {
  for (const [code, status] of Object.entries(DIMSE)) {
    it(`answers ${code} with ${hex(status)}, a named failure status`, () => {
      assert.equal(dimseStatusOf(code), status);
      assert.ok(isFailure(status));
      assert.ok(Object.values(DimseStatus).includes(status as never));
    });
  }

  it('answers anything unknown with Processing failure 0x0110, never without a status', () => {
    assert.equal(dimseStatusOf('no-such-code'), DimseStatus.ProcessingFailure);
    assert.equal(dimseStatusOf('not-found'), 0x0110);
    assert.equal(dimseStatusOf(undefined), 0x0110);
    assert.equal(dimseStatusOf('toString'), 0x0110);
  });
});

describe('HTTP status of an error code', () => {
  for (const [status, codes] of HTTP) {
    it(`answers ${status} for ${codes.join(', ')}`, () => {
      for (const code of codes) assert.equal(httpStatusOf(code), status, code);
    });
  }

  it('answers a full disk with 507 Insufficient Storage and a storage failure with 503, not 400', () => {
    assert.equal(httpStatusOf(new DomainError('out-of-space', 'storage full').code), 507);
    assert.equal(httpStatusOf('storage-failure'), 503);
  });

  it('answers a string that is no code with 500', () => {
    assert.equal(httpStatusOf('no-such-code'), 500);
    assert.equal(httpStatusOf('constructor'), 500);
  });
});
