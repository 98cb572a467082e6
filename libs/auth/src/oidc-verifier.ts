import { createRemoteJWKSet, JWTPayload, jwtVerify } from 'jose';
import { PacsConfig } from '@pacs/config';
import { AuthUser, toAuthUser } from './auth-user';
import { rejectionFrom, TokenRejected } from './token-rejection';

/** The algorithms we accept from an external issuer; `none` and HMAC never. */
export const OIDC_ALGORITHMS = ['RS256', 'ES256'];
/**
 * Least time between two JWKS fetches triggered by unknown `kid`s: a key rotation is picked up
 * within a second, while a flood of tokens with random `kid`s costs at most one fetch per second.
 */
const JWKS_COOLDOWN_MS = 1_000;
/** A fetched key set is trusted this long before it is fetched again anyway. */
const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_TIMEOUT_MS = 5_000;

type OidcSettings = PacsConfig['oidc'] & { issuer: string; jwksUrl: string; audience: string };

/**
 * Verifies tokens of the external OpenID Connect issuer: signature by a key of its JWKS
 * (cached; refetched when a token names an unknown `kid`, i.e. after a key rotation), RS256 or
 * ES256, `iss`, `aud`, `exp`/`nbf` with the configured clock skew. Roles come from a dotted
 * claim path and pass through the optional role mapping.
 */
export class OidcVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: OidcSettings) {
    this.jwks = createRemoteJWKSet(new URL(settings.jwksUrl), {
      cooldownDuration: JWKS_COOLDOWN_MS,
      cacheMaxAge: JWKS_MAX_AGE_MS,
      timeoutDuration: JWKS_TIMEOUT_MS,
    });
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  async verify(token: string): Promise<AuthUser> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.jwks, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: OIDC_ALGORITHMS,
        clockTolerance: this.settings.clockSkewSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw rejectionFrom(err);
    }
    const username = stringClaim(claims, this.settings.usernameClaim) ?? claims.sub;
    if (!username) throw new TokenRejected('no subject');
    const external = rolesAt(claims, this.settings.rolesClaim);
    return { ...toAuthUser(username, mapRoles(external, this.settings.roleMapping)), issuer: this.settings.issuer };
  }
}

/** The OIDC verifier when an issuer is configured, else undefined (local tokens only). */
export function oidcVerifierFrom(config: PacsConfig): OidcVerifier | undefined {
  const { issuer, jwksUrl, audience } = config.oidc;
  if (!issuer || !jwksUrl || !audience) return undefined;
  return new OidcVerifier({ ...config.oidc, issuer, jwksUrl, audience });
}

/** Roles at a dotted claim path (`realm_access.roles`): a list of strings, or one string. */
export function rolesAt(claims: Record<string, unknown>, path: string): string[] {
  let node: unknown = claims;
  for (const key of path.split('.')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (typeof node === 'string') return [node];
  return Array.isArray(node) ? node.filter((r): r is string => typeof r === 'string') : [];
}

/** Through the mapping when one is configured; a name the mapping does not list is kept as it is. */
export function mapRoles(external: readonly string[], mapping: Record<string, string[]> | null): string[] {
  if (!mapping) return [...external];
  return external.flatMap((role) => mapping[role] ?? [role]);
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
