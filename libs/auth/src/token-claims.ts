import { TokenRejected } from './token-rejection';

export interface ExpectedClaims {
  issuer: string;
  /** When set, `aud` must be it or a list holding it. */
  audience?: string;
  /** Tolerance on `exp` and `nbf`. */
  clockSkewSeconds: number;
}

/**
 * Checks the claims of a token whose signature is already verified: `iss`, `aud`, `nbf` and a
 * required `exp`. Done here rather than by jsonwebtoken because the tolerance differs per issuer
 * (none for our own tokens, the configured skew for OpenID Connect: RFC 7519 4.1.4/4.1.5 allow
 * "some small leeway") and passport-jwt has one set of options for all tokens.
 */
export function checkClaims(payload: unknown, expected: ExpectedClaims, now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new TokenRejected('malformed token');
  const claims = payload as Record<string, unknown>;
  if (claims.iss !== expected.issuer) throw new TokenRejected('wrong issuer');
  if (expected.audience !== undefined && !hasAudience(claims.aud, expected.audience)) throw new TokenRejected('wrong audience');
  const { nbf, exp } = claims;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + expected.clockSkewSeconds)) throw new TokenRejected('not yet valid');
  if (typeof exp !== 'number') throw new TokenRejected('claim exp invalid');
  if (exp <= now - expected.clockSkewSeconds) throw new TokenRejected('expired');
  return claims;
}

function hasAudience(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}
