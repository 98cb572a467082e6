// A viewer that logs in at the hospital's IdP (a separate OpenID provider process with its own
// keys and users) and calls the PACS with that IdP's access token: accepted by configuration
// alone (PACS_OIDC_ISSUER / JWKS_URL / AUDIENCE), with the roles the IdP's token carries, next to
// the PACS's own provider.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { ExternalIdp, startExternalIdp } from '../support/external-idp';
import { http } from '../support/http';
import { OidcClient } from '../support/oidc-flow';
import { startTestServer, TestServer } from '../support/server';

const REDIRECT = 'http://127.0.0.1:3000/viewer/callback';

describe('Viewer login at an external IdP, tokens accepted by the PACS', () => {
  let idp: ExternalIdp;
  let other: ExternalIdp;
  let server: TestServer;

  before(async () => {
    idp = await startExternalIdp({
      redirectUris: [REDIRECT],
      users: [
        { username: 'radiologist', password: 'hospital-pass-1', roles: ['radiologist'] },
        { username: 'clerk', password: 'hospital-pass-2', roles: ['receptionist'] },
      ],
    });
    // Another IdP with its own keys: its tokens must not pass for the configured one's.
    other = await startExternalIdp({ redirectUris: [REDIRECT] });
    server = await startTestServer({ env: idp.pacsEnv });
  });

  after(async () => {
    await server?.stop();
    await idp?.stop();
    await other?.stop();
  });

  it("logs in at the IdP with code + PKCE; the PACS serves DICOMweb with the IdP's token (roles claim)", async () => {
    const client = await OidcClient.discover(idp.issuer, idp.clientId, REDIRECT);
    const tokens = await client.login('radiologist', 'hospital-pass-1');
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.iss, idp.issuer);
    assert.equal(claims.aud, 'pacs-api');
    assert.deepEqual(claims.roles, ['radiologist']);
    const res = await http(`${server.httpUrl}/dicomweb/studies`, { token: tokens.access_token, headers: { accept: 'application/dicom+json' } });
    assert.ok([200, 204].includes(res.status), `QIDO-RS: ${res.status} ${res.body}`);
    // As Keycloak does, the IdP answers UserInfo for its access token (a viewer may ask).
    const me = await http(`${idp.issuer}/me`, { token: tokens.access_token });
    assert.equal(me.status, 200);
    assert.equal(me.json().sub, 'radiologist');
  });

  it('refuses a user without a PACS role (403), a token of another IdP and a tampered token (401)', async () => {
    const clerk = await (await OidcClient.discover(idp.issuer, idp.clientId, REDIRECT)).login('clerk', 'hospital-pass-2');
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token: clerk.access_token })).status, 403);
    const foreign = await (await OidcClient.discover(other.issuer, other.clientId, REDIRECT)).login('radiologist', 'hospital-pass-1');
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies`, { token: foreign.access_token })).status, 401);
    const good = await (await OidcClient.discover(idp.issuer, idp.clientId, REDIRECT)).login('radiologist', 'hospital-pass-1');
    const [header, payload, signature] = good.access_token.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    forged.roles = ['admin'];
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    assert.equal((await http(`${server.httpUrl}/api/users`, { token: tampered })).status, 401);
  });

  it("keeps the PACS's own provider working beside the external issuer", async () => {
    const own = await OidcClient.discover(`${server.httpUrl}/oidc`, 'pacs-viewer', `${server.httpUrl}/viewer/callback`);
    const tokens = await own.login('admin', server.adminPassword);
    assert.equal((await http(`${server.httpUrl}/api/users`, { token: tokens.access_token })).status, 200);
  });
});
