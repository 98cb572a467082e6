import { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, ProtectedHeaderParameters } from 'jose';
import { PacsConfig } from '@pacs/config';
import { AuthUser, toAuthUser } from './auth-user';
import { checkClaims } from './token-claims';
import { TokenRejected } from './token-rejection';

/** The algorithms we accept from an external issuer; `none` and HMAC never. */
export const OIDC_ALGORITHMS = ['RS256', 'ES256'] as const;
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
 * The external OpenID Connect issuer: the key for a token is the JWKS key its `kid` names
 * (cached; refetched when a token names an unknown `kid`, i.e. after a key rotation), for
 * RS256 or ES256 only; its claims must carry our audience, and `exp`/`nbf` get the configured
 * clock skew. Roles come from a dotted claim path and pass through the optional role mapping.
 */
export class OidcIssuer {
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

  /** The public key that must have signed a token with this header; throws TokenRejected. */
  async key(header: ProtectedHeaderParameters): Promise<KeyObject> {
    if (!OIDC_ALGORITHMS.some((alg) => alg === header.alg)) throw new TokenRejected('algorithm not allowed (alg: none or unexpected)');
    try {
      // jose yields a WebCrypto key; jsonwebtoken (inside passport-jwt) takes a KeyObject.
      return KeyObject.from(await this.jwks(header));
    } catch (err) {
      throw jwksRejection(err);
    }
  }

  /** The caller named by verified claims; throws TokenRejected. */
  user(payload: unknown): AuthUser {
    const { issuer, audience, clockSkewSeconds } = this.settings;
    const claims = checkClaims(payload, { issuer, audience, clockSkewSeconds });
    const username = stringClaim(claims, this.settings.usernameClaim) ?? stringClaim(claims, 'sub');
    if (!username) throw new TokenRejected('no subject');
    const external = rolesAt(claims, this.settings.rolesClaim);
    return { ...toAuthUser(username, mapRoles(external, this.settings.roleMapping)), issuer };
  }
}

/** The OIDC issuer when one is configured, else undefined (local tokens only). */
export function oidcIssuerFrom(config: PacsConfig): OidcIssuer | undefined {
  const { issuer, jwksUrl, audience } = config.oidc;
  if (!issuer || !jwksUrl || !audience) return undefined;
  return new OidcIssuer({ ...config.oidc, issuer, jwksUrl, audience });
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

/** Translates jose's key-set errors into the reasons operators read in the log. */
export function jwksRejection(err: unknown): TokenRejected {
  if (err instanceof errors.JWKSNoMatchingKey) return new TokenRejected('no key in the JWKS matches the token kid');
  if (err instanceof errors.JWKSMultipleMatchingKeys) return new TokenRejected('several keys in the JWKS match a token without kid');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return new TokenRejected('JWKS unavailable');
  if (err instanceof errors.JOSENotSupported) return new TokenRejected('unsupported token algorithm or key');
  if (err instanceof errors.JOSEError) return new TokenRejected(`invalid token (${err.code})`);
  // Network errors while fetching the JWKS (connection refused, DNS) land here.
  return new TokenRejected(`token could not be verified: ${(err as Error)?.message ?? String(err)}`);
}
