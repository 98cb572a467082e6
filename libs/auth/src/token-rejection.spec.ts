import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'jose';
import { rejectionFrom } from './token-rejection';

describe('token rejection reasons (for the log)', () => {
  it('names expiry, issuer, audience, algorithm, signature and unknown key', () => {
    const claims = { iss: 'x' };
    assert.equal(rejectionFrom(new errors.JWTExpired('exp', claims, 'exp', 'check_failed')).reason, 'expired');
    assert.equal(rejectionFrom(new errors.JWTClaimValidationFailed('iss', claims, 'iss', 'check_failed')).reason, 'wrong issuer');
    assert.equal(rejectionFrom(new errors.JWTClaimValidationFailed('aud', claims, 'aud', 'check_failed')).reason, 'wrong audience');
    assert.match(rejectionFrom(new errors.JOSEAlgNotAllowed('none')).reason, /algorithm not allowed/);
    assert.match(rejectionFrom(new errors.JWSSignatureVerificationFailed()).reason, /bad signature/);
    assert.match(rejectionFrom(new errors.JWKSNoMatchingKey()).reason, /no key/);
  });
});
