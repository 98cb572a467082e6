import { createSecretKey, KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { decodeJwt, decodeProtectedHeader, ProtectedHeaderParameters } from 'jose';
import { ExtractJwt, SecretOrKeyProvider, Strategy } from 'passport-jwt';
import { PacsConfig } from '@pacs/config';
import { ActiveUserCache } from './active-user-cache';
import { AuthUser, toAuthUser } from './auth-user';
import { JWT_SECRET } from './jwt-secret';
import { OIDC_ALGORITHMS, OidcIssuer, oidcIssuerFrom } from './oidc-issuer';
import { API_RESOURCE, isProviderIssuer } from './provider/provider-config';
import { PROVIDER_ALGORITHM, PROVIDER_KEYS, ProviderKeys } from './provider/provider-keys';
import { checkClaims, ExpectedClaims } from './token-claims';
import { TokenRejected } from './token-rejection';
import { TOKEN_ALGORITHM, TOKEN_ISSUER } from './token.service';

/** `Authorization: Bearer <token>`; the guard uses it too, to tell a missing token from a bad one. */
export const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Verifies bearer tokens, local or OpenID Connect. The key is chosen by the (unverified) `iss`:
 * our HS256 secret for `pacs`, our provider's RSA key for `<origin>/oidc` (when it is on), the
 * JWKS key named by `kid` for the external issuer, each only with that issuer's algorithms, so a token cannot pick a weaker path (`alg: none`, or an HMAC
 * token "signed" with a public key). jsonwebtoken then checks the signature; validate() checks
 * the claims for the issuer that was chosen and builds the AuthUser.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly oidc: OidcIssuer | undefined;

  constructor(
    @Inject(JWT_SECRET) secret: string,
    config: PacsConfig,
    private readonly users: ActiveUserCache,
    @Inject(PROVIDER_KEYS) private readonly provider: ProviderKeys | null,
  ) {
    const oidc = oidcIssuerFrom(config);
    const localKey = createSecretKey(Buffer.from(secret, 'utf8'));
    const keyFor = (token: string): Promise<KeyObject> => verificationKey(token, localKey, oidc, provider);
    super({
      jwtFromRequest: bearerToken,
      // jsonwebtoken takes a KeyObject as well as the string or Buffer the typings name.
      secretOrKeyProvider: ((_request: unknown, token: string, done: (err: unknown, key?: KeyObject) => void) => {
        keyFor(token).then((key) => done(null, key), (err: unknown) => done(err));
      }) as SecretOrKeyProvider,
      // A second lock behind the per-issuer check: jsonwebtoken refuses HS256 with a public key.
      algorithms: [TOKEN_ALGORITHM, ...OIDC_ALGORITHMS],
      // exp/nbf are checked in validate(), with the tolerance of the token's issuer.
      ignoreExpiration: true,
      jsonWebTokenOptions: { ignoreNotBefore: true },
    });
    this.oidc = oidc;
  }

  /** Claims of a token whose signature passport-jwt verified; throws TokenRejected. */
  async validate(payload: { iss?: unknown }): Promise<AuthUser> {
    const { iss } = payload;
    if (this.oidc && iss === this.oidc.issuer) return this.oidc.user(payload);
    // Our provider's access tokens name local users too: the same row decides their roles.
    const expected: ExpectedClaims =
      this.provider && isProviderIssuer(iss) ? { issuer: iss, audience: API_RESOURCE, clockSkewSeconds: 0 } : { issuer: TOKEN_ISSUER, clockSkewSeconds: 0 };
    const { sub } = checkClaims(payload, expected);
    if (typeof sub !== 'string' || sub === '') throw new TokenRejected('no subject');
    // Roles come from the current row, not the token: a role change applies to tokens already out.
    const user = await this.users.get(sub);
    if (!user) throw new TokenRejected('user disabled or deleted');
    return toAuthUser(user.username, user.roles);
  }
}

/** The key that must have signed `token`, by its unverified `iss` and header; throws TokenRejected. */
async function verificationKey(token: string, localKey: KeyObject, oidc: OidcIssuer | undefined, provider: ProviderKeys | null): Promise<KeyObject> {
  const { iss, header } = unverified(token);
  if (oidc && iss === oidc.issuer) return oidc.key(header);
  if (provider && isProviderIssuer(iss)) {
    if (header.alg !== PROVIDER_ALGORITHM) throw new TokenRejected('algorithm not allowed (alg: none or unexpected)');
    if (header.kid !== provider.signingJwk.kid) throw new TokenRejected('no key of our provider matches the token kid');
    return provider.publicKey;
  }
  if (iss !== TOKEN_ISSUER) throw new TokenRejected('wrong issuer');
  if (header.alg !== TOKEN_ALGORITHM) throw new TokenRejected('algorithm not allowed (alg: none or unexpected)');
  return localKey;
}

function unverified(token: string): { iss: unknown; header: ProtectedHeaderParameters } {
  try {
    return { iss: decodeJwt(token).iss, header: decodeProtectedHeader(token) };
  } catch {
    throw new TokenRejected('malformed token');
  }
}
