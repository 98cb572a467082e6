/** Why a bearer token was refused: logged (never the token itself), the client gets a plain 401. */
export class TokenRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

/**
 * The reason for a failure passport reports: ours (TokenRejected, from picking the key or from
 * the claim checks) or jsonwebtoken's (passport-jwt verifies the signature with it; matched by
 * name because jsonwebtoken is passport-jwt's dependency, not ours). Undefined for anything
 * else: an unexpected error, not a verdict on the token.
 */
export function rejectionReason(failure: unknown): string | undefined {
  if (failure instanceof TokenRejected) return failure.reason;
  if (!(failure instanceof Error) || failure.name !== 'JsonWebTokenError') return undefined;
  switch (failure.message) {
    case 'invalid signature':
    case 'jwt signature is required':
      return 'bad signature (tampered or wrong key)';
    case 'invalid algorithm':
      return 'algorithm not allowed (alg: none or unexpected)';
    case 'jwt malformed':
    case 'invalid token':
      return 'malformed token';
    default:
      return `invalid token (${failure.message})`;
  }
}
