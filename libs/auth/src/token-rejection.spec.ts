import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from 'jose';
import { jwksRejection } from './oidc-issuer';
import { checkClaims } from './token-claims';
import { rejectionReason, TokenRejected } from './token-rejection';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TokenRejected);
    return err.reason;
  }
  return 'accepted';
}

describe('token rejection reasons (for the log)', () => {
  const now = 1_000_000;
  const expected = { issuer: 'https://idp', audience: 'pacs-api', clockSkewSeconds: 60 };
  const valid = { iss: 'https://idp', aud: 'pacs-api', exp: now + 300 };

  it('names expiry, issuer, audience and not-before from the claims, with the issuer tolerance', () => {
    assert.equal(reasonOf(() => checkClaims(valid, expected, now)), 'accepted');
    assert.equal(reasonOf(() => checkClaims({ ...valid, aud: ['other', 'pacs-api'], exp: now - 20 }, expected, now)), 'accepted');
    assert.equal(reasonOf(() => checkClaims({ ...valid, exp: now - 60 }, expected, now)), 'expired');
    assert.equal(reasonOf(() => checkClaims({ ...valid, exp: now }, { ...expected, clockSkewSeconds: 0 }, now)), 'expired');
    assert.equal(reasonOf(() => checkClaims({ ...valid, iss: 'https://evil' }, expected, now)), 'wrong issuer');
    assert.equal(reasonOf(() => checkClaims({ ...valid, aud: 'someone-else' }, expected, now)), 'wrong audience');
    assert.equal(reasonOf(() => checkClaims({ ...valid, nbf: now + 61 }, expected, now)), 'not yet valid');
    assert.equal(reasonOf(() => checkClaims({ ...valid, exp: undefined }, expected, now)), 'claim exp invalid');
  });

  it('names the signature and algorithm refusals of jsonwebtoken, and unknown JWKS keys', () => {
    const jsonwebtoken = (message: string) => Object.assign(new Error(message), { name: 'JsonWebTokenError' });
    assert.match(rejectionReason(jsonwebtoken('invalid signature')) ?? '', /bad signature/);
    assert.match(rejectionReason(jsonwebtoken('invalid algorithm')) ?? '', /algorithm not allowed/);
    assert.match(jwksRejection(new errors.JWKSNoMatchingKey()).reason, /no key/);
    assert.equal(rejectionReason(new TokenRejected('expired')), 'expired');
  });

  it('gives no reason for an unexpected error (a failure of ours, not a verdict on the token)', () => {
    assert.equal(rejectionReason(new Error('connection to the database lost')), undefined);
  });
});
