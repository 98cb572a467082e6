import type { KoaContextWithOIDC } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { PacsConfig } from '@pacs/config';
import { PostgresProviderAdapter } from './provider-adapter';
import { PROVIDER_ALGORITHM, ProviderKeys } from './provider-keys';
import { errorPage, logoutPage, signedOutPage } from './provider-pages';

/** The bundled viewer (OHIF): a public client (no secret), so PKCE is required (RFC 7636, RFC 9700 2.1.1). */
export const VIEWER_CLIENT_ID = 'pacs-viewer';
/**
 * The resource (RFC 8707) our access tokens are for, and their `aud`: the DICOMweb and REST API.
 * A client that names no resource gets it; the guard accepts only tokens with this audience.
 */
export const API_RESOURCE = 'urn:pacs:api';
const API_SCOPE = 'pacs';
/** The OpenID Connect scopes a viewer may ask for; the first-party viewer is granted them all. */
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
/** Paths under the issuer's origin (and each PACS_HTTP_CORS_ORIGINS origin) the viewer comes back to. */
const REDIRECT_PATHS = ['/viewer/callback', '/viewer/silent-refresh.html'];
const POST_LOGOUT_PATHS = ['/viewer/', '/viewer/logout-redirect.html'];

export interface ProviderDeps {
  config: PacsConfig;
  keys: ProviderKeys;
  db: DataSource;
  /** Whether the local user exists and is enabled. */
  userActive(username: string): Promise<boolean>;
}

/** The viewer's origins: the one the request reached, and those of PACS_HTTP_CORS_ORIGINS. */
export function viewerOrigins(origin: string, corsOrigins: readonly string[]): string[] {
  return [...new Set([origin, ...corsOrigins.filter((o) => o !== '*')])];
}

/** oidc-provider's configuration for the issuer at `<origin>/oidc`. */
export function providerConfiguration(origin: string, deps: ProviderDeps): Record<string, unknown> {
  const { config, keys, db } = deps;
  const origins = viewerOrigins(origin, config.http.corsOrigins);
  return {
    adapter: (model: string) => new PostgresProviderAdapter(model, db),
    clients: [viewerClient(origins)],
    jwks: { keys: [keys.signingJwk] },
    cookies: { keys: keys.cookieKeys },
    findAccount: async (_ctx: unknown, sub: string) => ((await deps.userActive(sub)) ? account(sub) : undefined),
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
    scopes: OIDC_SCOPES,
    // The login form is ours (login-interaction.ts), under the issuer's path.
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/oidc/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage, postLogoutSuccessSource: signedOutPage },
      resourceIndicators: apiResource(config.oidcProvider.accessTokenTtlSeconds),
    },
    // First party: consent is implied, so the grant is made at once (no consent page).
    loadExistingGrant: firstPartyGrant,
    // A public client's refresh token is rotated on each use (RFC 9700 4.14.2) and never outlives the login.
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    ttl: lifetimes(config.oidcProvider),
    clientBasedCORS: (_ctx: unknown, requestOrigin: string) => origins.includes(requestOrigin),
    renderError: errorPage,
  };
}

/** The bundled viewer's registration (RFC 7591 client metadata). */
function viewerClient(origins: string[]): Record<string, unknown> {
  return {
    client_id: VIEWER_CLIENT_ID,
    client_name: 'PACS viewer',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: origins.flatMap((o) => REDIRECT_PATHS.map((p) => o + p)),
    post_logout_redirect_uris: origins.flatMap((o) => POST_LOGOUT_PATHS.map((p) => o + p)),
  };
}

/** Every access token is a JWT for our API, whether or not the client names it (RFC 8707, RFC 9068). */
function apiResource(accessTokenTtlSeconds: number): Record<string, unknown> {
  return {
    enabled: true,
    defaultResource: () => API_RESOURCE,
    useGrantedResource: () => true,
    getResourceServerInfo: () => ({
      scope: API_SCOPE,
      audience: API_RESOURCE,
      accessTokenTTL: accessTokenTtlSeconds,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: PROVIDER_ALGORITHM } },
    }),
  };
}

function lifetimes({ accessTokenTtlSeconds, refreshTokenTtlSeconds }: PacsConfig['oidcProvider']): Record<string, unknown> {
  return {
    AccessToken: accessTokenTtlSeconds,
    IdToken: accessTokenTtlSeconds,
    AuthorizationCode: 60,
    Interaction: 600,
    Session: refreshTokenTtlSeconds,
    Grant: refreshTokenTtlSeconds,
    RefreshToken: (ctx: KoaContextWithOIDC) => {
      const rotated = ctx?.oidc?.entities.RotatedRefreshToken as { remainingTTL: number } | undefined;
      return rotated ? rotated.remainingTTL : refreshTokenTtlSeconds;
    },
  };
}

function account(username: string) {
  return {
    accountId: username,
    claims: async () => ({ sub: username, preferred_username: username, name: username }),
  };
}

async function firstPartyGrant(ctx: KoaContextWithOIDC) {
  const { client, session, result, provider } = ctx.oidc;
  if (!client || !session?.accountId) return undefined;
  const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  if (grantId) {
    const known = await provider.Grant.find(grantId);
    if (known) return known;
  }
  const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope(OIDC_SCOPES.join(' '));
  grant.addResourceScope(API_RESOURCE, API_SCOPE);
  await grant.save();
  return grant;
}

/** Whether `iss` names this server's provider on some origin (`<origin>/oidc`). */
export function isProviderIssuer(iss: unknown): iss is string {
  if (typeof iss !== 'string') return false;
  const url = URL.parse(iss);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && iss === `${url.origin}/oidc`;
}
