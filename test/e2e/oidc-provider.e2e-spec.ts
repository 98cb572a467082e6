// The server as an OpenID provider for its local users (a browser viewer's login), driven over
// HTTP as OHIF would: discovery and JWKS, the authorization code flow with PKCE through the login
// form, an access token that DICOMweb accepts with the user's roles, refresh, logout; wrong
// passwords are throttled with the counters of POST /api/auth/token and audited like it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { http } from '../support/http';
import { OidcClient } from '../support/oidc-flow';
import { startTestServer, TestServer } from '../support/server';

const PASSWORD = 'radiologist-pass-1';

describe('OpenID provider for local users (/oidc)', () => {
  let server: TestServer;
  let issuer: string;
  let redirectUri: string;
  let admin: string;

  before(async () => {
    // Two failures per user name: the throttle is reached within the test.
    server = await startTestServer({ env: { PACS_LOGIN_MAX_FAILURES: '2', PACS_OIDC_ACCESS_TOKEN_TTL_SECONDS: '120' } });
    issuer = `${server.httpUrl}/oidc`;
    redirectUri = `${server.httpUrl}/viewer/callback`;
    admin = await server.token();
    for (const [username, roles] of [['rad1', ['radiologist']], ['rad2', ['radiologist']], ['rad3', ['radiologist']], ['audit1', ['auditor']]] as const) {
      const res = await http(`${server.httpUrl}/api/users`, {
        method: 'POST',
        token: admin,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD, roles }),
      });
      assert.equal(res.status, 201, res.body.toString());
    }
  });

  after(() => server?.stop());

  it('publishes discovery for the issuer the client reached, with PKCE S256, a JWKS and end_session', async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    assert.equal(client.discovery.issuer, issuer);
    assert.deepEqual(client.discovery.code_challenge_methods_supported, ['S256']);
    assert.equal(client.discovery.end_session_endpoint, `${issuer}/session/end`);
    const jwks = (await http(client.discovery.jwks_uri)).json<{ keys: Record<string, unknown>[] }>();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, 'RSA');
    assert.equal(jwks.keys[0].d, undefined, 'the private part is never published');
  });

  it('logs a user in with code + PKCE: the access token works on DICOMweb, a tampered one gets 401', async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    const { page, url } = await client.authorize();
    assert.equal(page.status, 200);
    assert.match(page.body, /name="username"/);
    assert.match(page.body, /name="password"/);
    assert.match(page.body, /id="login"/);
    const { code } = await client.submitLogin(url, page, 'rad1', PASSWORD);
    assert.ok(code, 'redirected back to the viewer with a code');
    // The code is bound to the PKCE verifier: another verifier gets nothing.
    const stolen = await client.token({ grant_type: 'authorization_code', code: code!, redirect_uri: redirectUri, code_verifier: 'x'.repeat(43) });
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.error, 'invalid_grant');

    const tokens = await new OidcClient(client.discovery, 'pacs-viewer', redirectUri).login('rad1', PASSWORD);
    const claims = decodeJwt(tokens.access_token);
    assert.equal(decodeProtectedHeader(tokens.access_token).alg, 'RS256');
    assert.equal(claims.iss, issuer);
    assert.equal(claims.sub, 'rad1');
    assert.equal(claims.aud, 'urn:pacs:api');
    assert.ok(tokens.expires_in <= 120 && tokens.expires_in > 60, String(tokens.expires_in));
    assert.equal(decodeJwt(tokens.id_token!).aud, 'pacs-viewer');

    const studies = await http(`${server.httpUrl}/dicomweb/studies`, { token: tokens.access_token, headers: { accept: 'application/dicom+json' } });
    assert.ok([200, 204].includes(studies.status), `QIDO-RS: ${studies.status}`);
    const tampered = tokens.access_token.slice(0, -4) + (tokens.access_token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token: tampered })).status, 401);
    // The ID token is for the viewer, not for the API.
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token: tokens.id_token })).status, 401);
  });

  it('answers UserInfo for its access token with the ID token claims, and 401 without one', async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    const tokens = await client.login('rad1', PASSWORD);
    const userinfo = `${issuer}/me`;
    const res = await http(userinfo, { token: tokens.access_token });
    assert.equal(res.status, 200, res.body.toString());
    assert.deepEqual(res.json(), { sub: 'rad1', preferred_username: 'rad1', name: 'rad1' });
    assert.equal((await http(userinfo)).status, 401);
  });

  it("gives the user's own roles: an auditor's token is refused on DICOMweb (403) and reads the audit trail", async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    const { access_token } = await client.login('audit1', PASSWORD);
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token: access_token })).status, 403);
    assert.equal((await http(`${server.httpUrl}/api/audit?limit=1`, { token: access_token })).status, 200);
  });

  it('refreshes: a new access token that works; a spent refresh token used again revokes the login', async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    const first = await client.login('rad1', PASSWORD);
    assert.ok(first.refresh_token, 'a refresh token is issued to the viewer');
    const refreshed = await client.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token! });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    assert.notEqual(refreshed.body.access_token, first.access_token);
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token: refreshed.body.access_token })).status < 300, true);
    const again = await client.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token! });
    assert.equal(again.status, 400, 'a rotated refresh token is not accepted twice');
    assert.equal(again.body.error, 'invalid_grant');
    // Reuse means the token leaked: the whole grant goes, the new refresh token with it (RFC 9700 4.14.2).
    const afterReuse = await client.token({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token });
    assert.equal(afterReuse.status, 400);
  });

  it("refuses a disabled user's access token and refresh token at once", async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    const tokens = await client.login('rad3', PASSWORD);
    const disable = await http(`${server.httpUrl}/api/users/rad3`, {
      method: 'PATCH',
      token: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    });
    assert.equal(disable.status, 200, disable.body.toString());
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token: tokens.access_token })).status, 401);
    const refresh = await client.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(refresh.status, 400);
    assert.equal(refresh.body.error, 'invalid_grant');
  });

  it('renews silently (prompt=none) while the session lasts, to the silent-refresh page', async () => {
    const silent = `${server.httpUrl}/viewer/silent-refresh.html`;
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    await client.login('rad1', PASSWORD);
    const renewing = client.to(silent);
    const { url } = await renewing.authorize('openid profile email', { prompt: 'none' });
    assert.ok(url.startsWith(silent), url);
    const code = new URL(url).searchParams.get('code');
    assert.ok(code, url);
    assert.equal((await renewing.exchange(code!)).status, 200);
    const stranger = new OidcClient(client.discovery, 'pacs-viewer', silent);
    const refused = await stranger.authorize('openid profile email', { prompt: 'none' });
    assert.equal(new URL(refused.url).searchParams.get('error'), 'login_required');
  });

  it('logs out (RP-initiated): back to the viewer, refresh refused, and the next login asks for the password', async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    const tokens = await client.login('rad1', PASSWORD);
    const logoutUrl = `${client.discovery.end_session_endpoint}?${new URLSearchParams({
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: `${server.httpUrl}/viewer/`,
      client_id: 'pacs-viewer',
    })}`;
    const confirm = await client.request(logoutUrl);
    assert.equal(confirm.status, 200);
    assert.match(confirm.body, /id="logout"/, 'the sign-out button');
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(confirm.body);
    assert.ok(form, confirm.body);
    const fields = Object.fromEntries([...form![2].matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const done = await client.request(new URL(form![1], logoutUrl).href, { form: { ...fields, logout: 'yes' } });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `${server.httpUrl}/viewer/`);
    const refresh = await client.token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    assert.equal(refresh.status, 400);
    const { page } = await client.authorize();
    assert.match(page.body, /id="login"/, 'no session left: the login form again');
    const events = (await http(`${server.httpUrl}/api/audit?actor=rad1`, { token: admin })).json<{ items: { details: { eventType?: { name: string } } }[] }>().items;
    assert.ok(events.some((e) => e.details.eventType?.name === 'Logout'), 'the logout is audited');
  });

  it('refuses a wrong password with the form and a message, audits it, and throttles like /api/auth/token', async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', redirectUri);
    const { page, url } = await client.authorize();
    const wrong = await client.submitLogin(url, page, 'rad2', 'wrong-password');
    assert.equal(wrong.code, undefined);
    assert.equal(wrong.page.status, 401);
    assert.match(wrong.page.body, /Invalid username or password/);
    assert.match(wrong.page.body, /id="login"/);
    // The second failure counts on the same counter as the token endpoint: it is now throttled.
    const token = await http(`${server.httpUrl}/api/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'rad2', password: 'wrong-again' }),
    });
    assert.equal(token.status, 401);
    const throttled = await client.submitLogin(url, wrong.page, 'rad2', PASSWORD);
    assert.equal(throttled.code, undefined, 'even the right password waits');
    assert.equal(throttled.page.status, 429);
    assert.ok(Number(throttled.page.headers.get('retry-after')) > 0);
    assert.match(throttled.page.body, /Too many failed logins/);

    const events = (await http(`${server.httpUrl}/api/audit?actor=rad2`, { token: admin })).json<{ items: { actor: string; outcome: number; actionCode: string }[] }>().items;
    assert.equal(events.filter((e) => e.outcome !== 0).length, 2, JSON.stringify(events));
    const okEvents = (await http(`${server.httpUrl}/api/audit?actor=rad1`, { token: admin })).json<{ items: { outcome: number }[] }>().items;
    assert.ok(okEvents.some((e) => e.outcome === 0), 'the successful logins are audited');
  });

  it('refuses a redirect URI that is not the viewer', async () => {
    const client = await OidcClient.discover(issuer, 'pacs-viewer', 'https://evil.example/callback');
    const { page } = await client.authorize();
    assert.equal(page.status, 400);
    assert.match(page.body, /redirect_uri/);
  });
});
