import { Inject, Injectable } from '@nestjs/common';
import { decodeJwt, jwtVerify } from 'jose';
import { PacsConfig } from '@pacs/config';
import { ActiveUserCache } from './active-user-cache';
import { AuthUser, toAuthUser } from './auth-user';
import { JWT_SECRET } from './jwt-secret';
import { OidcVerifier, oidcVerifierFrom } from './oidc-verifier';
import { rejectionFrom, TokenRejected } from './token-rejection';
import { TOKEN_ALGORITHM, TOKEN_ISSUER } from './token.service';

/**
 * Verifies a bearer token into an AuthUser. The verifier is chosen by the (unverified) `iss`:
 * the external OpenID Connect issuer when it matches, else the local HS256 issuer, which then
 * checks `iss` itself; each verifier accepts only its own algorithms, so a token cannot pick
 * a weaker path (`alg: none`, or an HMAC token signed with a public key).
 */
@Injectable()
export class TokenVerifier {
  private readonly secret: Uint8Array;
  private readonly oidc: OidcVerifier | undefined;

  constructor(
    @Inject(JWT_SECRET) secret: string,
    config: PacsConfig,
    private readonly users: ActiveUserCache,
  ) {
    this.secret = new TextEncoder().encode(secret);
    this.oidc = oidcVerifierFrom(config);
  }

  /** Throws TokenRejected with a reason for the log. */
  async verify(token: string): Promise<AuthUser> {
    const issuer = unverifiedIssuer(token);
    if (this.oidc && issuer === this.oidc.issuer) return this.oidc.verify(token);
    if (issuer !== TOKEN_ISSUER) throw new TokenRejected(issuer === undefined ? 'malformed token' : 'wrong issuer');
    return this.verifyLocal(token);
  }

  private async verifyLocal(token: string): Promise<AuthUser> {
    let sub: string | undefined;
    try {
      ({ payload: { sub } } = await jwtVerify(token, this.secret, { issuer: TOKEN_ISSUER, algorithms: [TOKEN_ALGORITHM], requiredClaims: ['exp'] }));
    } catch (err) {
      throw rejectionFrom(err);
    }
    if (!sub) throw new TokenRejected('no subject');
    // Roles come from the current row, not the token: a role change applies to tokens already out.
    const user = await this.users.get(sub);
    if (!user) throw new TokenRejected('user disabled or deleted');
    return toAuthUser(user.username, user.roles);
  }
}

function unverifiedIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : '';
  } catch {
    return undefined;
  }
}
