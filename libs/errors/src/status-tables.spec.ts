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
  'too-large': 0xa700,
  'out-of-space': 0xa700,
  'storage-failure': 0xa700,
  'processing-failure': 0x0110,
};

const HTTP: Record<ErrorCode, number> = {
  unparsable: 400,
  'missing-attribute': 400,
  'invalid-uid': 400,
  'sop-class-mismatch': 409,
  'sop-instance-mismatch': 409,
  'study-mismatch': 409,
  'sop-class-not-supported': 409,
  'duplicate-rejected': 409,
  'too-large': 413,
  'out-of-space': 507,
  'storage-failure': 503,
  'not-found': 404,
  'bad-query': 400,
  'bad-request': 400,
  'request-aborted': 400,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'unsupported-part-type': 415,
  'not-acceptable': 406,
  'invalid-user': 400,
  'user-exists': 409,
  'user-not-found': 404,
  'too-many-attempts': 429,
  'invalid-credentials': 401,
  unauthenticated: 401,
  forbidden: 403,
  'audit-unavailable': 500,
  'invalid-peer': 400,
  'peer-exists': 409,
  'peer-not-found': 404,
  'invalid-worklist-item': 400,
  'worklist-item-not-found': 404,
  'worklist-conflict': 409,
  'mpps-not-found': 404,
  'processing-failure': 500,
};

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
  for (const [code, status] of Object.entries(HTTP)) {
    it(`answers ${code} with ${status}`, () => assert.equal(httpStatusOf(code), status));
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
