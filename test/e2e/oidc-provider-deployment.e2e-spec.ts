// The OpenID provider as deployed: for a viewer on another origin (CORS), on two nodes behind
// one origin (state and keys in PostgreSQL), across a restart, and turned off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { http } from '../support/http';
import { OidcClient } from '../support/oidc-flow';
import { rawHttp, requestHead } from '../support/raw-http';
import { freePort } from '../support/ports';
import { startTestServer, TestServer } from '../support/server';

describe('OpenID provider for a viewer on another origin (PACS_HTTP_CORS_ORIGINS)', () => {
  const VIEWER = 'http://viewer.example.org:3000';
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PACS_HTTP_CORS_ORIGINS: VIEWER } });
  });
  after(() => server?.stop());

  it('lets it log in and redirects back to its origin', async () => {
    const client = await OidcClient.discover(`${server.httpUrl}/oidc`, 'pacs-viewer', `${VIEWER}/viewer/callback`);
    const tokens = await client.login('admin', server.adminPassword);
    assert.equal((await http(`${server.httpUrl}/api/users`, { token: tokens.access_token })).status, 200);
  });

  it('names the issuer after the Host the client reached, and refuses a Host that cannot be one', async () => {
    const port = Number(new URL(server.httpUrl).port);
    const ask = async (host: string) => {
      const conn = await rawHttp(port);
      conn.socket.write(requestHead('GET', '/oidc/.well-known/openid-configuration', { host, connection: 'close' }));
      const chunks: Buffer[] = [];
      conn.socket.on('data', (c: Buffer) => chunks.push(c));
      await conn.closed;
      return Buffer.concat(chunks).toString('utf8');
    };
    assert.match(await ask('pacs.example.org:8443'), /"issuer":"http:\/\/pacs\.example\.org:8443\/oidc"/);
    assert.match(await ask('a<b>'), /^HTTP\/1\.1 400[\s\S]*names no valid host/);
  });

  it('answers its CORS requests: discovery, JWKS, the token endpoint (preflight too) and UserInfo', async () => {
    const headers = { origin: VIEWER };
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const res = await http(`${server.httpUrl}/oidc${path}`, { headers });
      assert.equal(res.status, 200);
      assert.ok(['*', VIEWER].includes(res.headers.get('access-control-allow-origin') ?? ''), `${path}: ${res.headers.get('access-control-allow-origin')}`);
    }
    const preflight = await http(`${server.httpUrl}/oidc/token`, {
      method: 'OPTIONS',
      headers: { origin: VIEWER, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), VIEWER);
    const token = await http(`${server.httpUrl}/oidc/token`, {
      method: 'POST',
      headers: { origin: VIEWER, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&client_id=pacs-viewer&refresh_token=unknown',
    });
    assert.equal(token.status, 400);
    assert.equal(token.headers.get('access-control-allow-origin'), VIEWER, 'the viewer can read the error');
    const me = await http(`${server.httpUrl}/oidc/me`, { headers });
    assert.equal(me.status, 401);
    assert.equal(me.headers.get('access-control-allow-origin'), VIEWER);
    const stranger = await http(`${server.httpUrl}/oidc/token`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&client_id=pacs-viewer&refresh_token=unknown',
    });
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
  });
});

describe('OpenID provider on two nodes behind one origin, and across a restart', () => {
  let a: TestServer;
  let b: TestServer;
  // Both trust X-Forwarded-* from loopback, as behind a load balancer; b uses a's PostgreSQL.
  const proxied = { PACS_HTTP_TRUSTED_PROXIES: 'loopback' };
  let nodeB: () => Promise<TestServer>;
  before(async () => {
    const pgPort = await freePort();
    a = await startTestServer({ env: { ...proxied, PACS_EMBEDDED_PG_PORT: String(pgPort) } });
    const pgPassword = readFileSync(join(a.dataDir, 'postgres-password'), 'utf8').trim();
    const env = { ...proxied, DATABASE_URL: `postgres://pacs:${pgPassword}@127.0.0.1:${pgPort}/pacs`, PACS_ADMIN_PASSWORD: a.adminPassword };
    nodeB = () => startTestServer({ env });
    b = await nodeB();
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('starts a login on one node, finishes it on the other; tokens of either node pass on both', async () => {
    const client = await OidcClient.discover(`${a.httpUrl}/oidc`, 'pacs-viewer', `${a.httpUrl}/viewer/callback`);
    const { page, url } = await client.authorize();
    client.backend = b.httpUrl;
    const { code } = await client.submitLogin(url, page, 'admin', a.adminPassword);
    assert.ok(code);
    const exchanged = await client.exchange(code!);
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
    assert.equal(decodeJwt(exchanged.body.access_token).iss, `${a.httpUrl}/oidc`);
    for (const node of [a, b]) assert.equal((await http(`${node.httpUrl}/api/users`, { token: exchanged.body.access_token })).status, 200);
    client.backend = undefined;
    const refreshed = await client.token({ grant_type: 'refresh_token', refresh_token: exchanged.body.refresh_token });
    assert.equal(refreshed.status, 200, 'a refresh token of node b is honoured by node a');
  });

  it('keeps its keys and refresh tokens across a restart', async () => {
    const client = await OidcClient.discover(`${a.httpUrl}/oidc`, 'pacs-viewer', `${a.httpUrl}/viewer/callback`);
    client.backend = b.httpUrl;
    const tokens = await client.login('admin', a.adminPassword);
    await b.stop();
    b = await nodeB();
    client.backend = b.httpUrl;
    assert.equal((await http(`${b.httpUrl}/api/users`, { token: tokens.access_token })).status, 200);
    const refreshed = await client.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  });
});

describe('OpenID provider turned off (PACS_OIDC_PROVIDER=off)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PACS_OIDC_PROVIDER: 'off' } });
  });
  after(() => server?.stop());

  it('has no /oidc routes', async () => {
    assert.equal((await http(`${server.httpUrl}/oidc/.well-known/openid-configuration`)).status, 404);
  });
});
