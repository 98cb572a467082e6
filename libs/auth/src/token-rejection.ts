import { errors } from 'jose';

/** Why a bearer token was refused: logged (never the token itself), the client gets a plain 401. */
export class TokenRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

/** Translates jose's verification errors into the reasons operators read in the log. */
export function rejectionFrom(err: unknown): TokenRejected {
  if (err instanceof TokenRejected) return err;
  if (err instanceof errors.JWTExpired) return new TokenRejected('expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return new TokenRejected('wrong issuer');
    if (err.claim === 'aud') return new TokenRejected('wrong audience');
    if (err.claim === 'nbf') return new TokenRejected('not yet valid');
    return new TokenRejected(`claim ${err.claim} invalid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new TokenRejected('algorithm not allowed (alg: none or unexpected)');
  if (err instanceof errors.JWSSignatureVerificationFailed) return new TokenRejected('bad signature (tampered or wrong key)');
  if (err instanceof errors.JWKSNoMatchingKey) return new TokenRejected('no key in the JWKS matches the token kid');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return new TokenRejected('JWKS unavailable');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return new TokenRejected('malformed token');
  if (err instanceof errors.JOSENotSupported) return new TokenRejected('unsupported token algorithm or key');
  if (err instanceof errors.JOSEError) return new TokenRejected(`invalid token (${err.code})`);
  // Network errors while fetching the JWKS (connection refused, DNS) land here.
  return new TokenRejected(`token could not be verified: ${(err as Error)?.message ?? String(err)}`);
}
