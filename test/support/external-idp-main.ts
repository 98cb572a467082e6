// A hospital's identity provider, for tests: a standalone oidc-provider in its own process, with
// its own RSA key, in-memory state and users, issuing JWT access tokens with a `roles` claim (as
// Keycloak or Azure AD do once configured). Started by external-idp.ts with its settings in
// EXTERNAL_IDP (JSON); prints `listening <port>` once it serves.
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import type { Provider as ProviderType } from 'oidc-provider';

export interface ExternalIdpSettings {
  clientId: string;
  audience: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  users: { username: string; password: string; roles: string[] }[];
  accessTokenTtlSeconds: number;
}

const settings = JSON.parse(process.env.EXTERNAL_IDP ?? '{}') as ExternalIdpSettings;
const RESOURCE = 'urn:test:pacs';

function form(uid: string, message = ''): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Hospital sign-in</title></head><body>
<h1>Hospital sign-in</h1>${message ? `<p class="error">${message}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<input name="username" autocomplete="username"><input name="password" type="password"><button type="submit" id="login">Sign in</button>
</form></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(provider: ProviderType, req: IncomingMessage, res: ServerResponse, uid: string): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(form(uid));
    return;
  }
  const body = await readForm(req);
  const user = settings.users.find((u) => u.username === body.get('username') && u.password === body.get('password'));
  if (!user) {
    res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(form(uid, 'Wrong user name or password'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
}

/**
 * UserInfo for the JWT access tokens (oidc-provider's own endpoint takes only opaque ones), as
 * Keycloak or Azure AD answer it, with CORS for any origin: a viewer may ask for it after login.
 */
async function userinfo(req: IncomingMessage, res: ServerResponse, publicKey: KeyObject, issuer: string): Promise<void> {
  const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization', 'cache-control': 'no-store' };
  if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
  try {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const { payload } = await jwtVerify(token, publicKey, { issuer, audience: settings.audience });
    res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ sub: payload.sub, preferred_username: payload.sub }));
  } catch {
    res.writeHead(401, { ...cors, 'www-authenticate': 'Bearer error="invalid_token"' }).end();
  }
}

async function main(): Promise<void> {
  const { Provider } = await import('oidc-provider');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let provider: ProviderType | undefined;
  let port = 0;
  const server = createServer((req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(req.url ?? '');
    if (!provider) return void res.writeHead(503).end();
    if ((req.url ?? '').split('?')[0] === '/me') {
      void userinfo(req, res, publicKey, `http://127.0.0.1:${port}`);
      return;
    }
    if (match) {
      interaction(provider, req, res, match[1]).catch((err: Error) => res.writeHead(400).end(err.message));
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const rolesOf = (username: string) => settings.users.find((u) => u.username === username)?.roles ?? [];
  provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: settings.clientId,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: settings.redirectUris,
        post_logout_redirect_uris: settings.postLogoutRedirectUris,
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'hospital-1', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['external-idp-test-cookie-key'] },
    findAccount: async (_ctx: unknown, sub: string) =>
      settings.users.some((u) => u.username === sub) ? { accountId: sub, claims: async () => ({ sub, preferred_username: sub }) } : undefined,
    claims: { openid: ['sub'], profile: ['preferred_username'] },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'pacs',
          audience: settings.audience,
          accessTokenTTL: settings.accessTokenTtlSeconds,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // The roles claim the PACS reads (PACS_OIDC_ROLES_CLAIM, default `roles`).
    extraTokenClaims: async (_ctx: unknown, token: { accountId: string }) => ({ roles: rolesOf(token.accountId), preferred_username: token.accountId }),
    loadExistingGrant: async (ctx: any) => {
      const { client, session, provider: op } = ctx.oidc;
      const grant = new op.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile email offline_access');
      grant.addResourceScope(RESOURCE, 'pacs');
      await grant.save();
      return grant;
    },
    issueRefreshToken: async () => true,
    clientBasedCORS: () => true,
    ttl: { AccessToken: settings.accessTokenTtlSeconds, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 3600 },
  });
  process.stdout.write(`listening ${port}\n`);
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main().catch((err) => {
  process.stderr.write(`external IdP failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
