// External tokens from an OpenID Connect issuer served by the test itself (real JWKS over HTTP,
// generated RSA and EC keys): accepted when valid, refused with 401 and a logged reason when
// expired, from another issuer, for another audience, unsigned, tampered or signed by an
// unknown key; key rotation is picked up. Local tokens keep working beside them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { IssuerKey, newKey, startTestIssuer, TestIssuer, unsignedToken } from '../support/jwks';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

describe('OpenID Connect bearer tokens (JWKS, RS256/ES256, iss/aud/exp, roles claim)', () => {
  let server: TestServer;
  let idp: TestIssuer;
  let rsa: IssuerKey;
  let ec: IssuerKey;
  const now = () => Math.floor(Date.now() / 1000);
  // Keycloak puts realm roles under realm_access.roles; "pacs-readers" maps to radiologist.
  const reader = { sub: 'u-1', preferred_username: 'dr.who', realm_access: { roles: ['pacs-readers', 'offline_access'] } };

  before(async () => {
    rsa = await newKey('rsa-1', 'RS256');
    ec = await newKey('ec-1', 'ES256');
    idp = await startTestIssuer([rsa, ec]);
    server = await startTestServer({
      env: {
        PACS_OIDC_ISSUER: idp.issuer,
        PACS_OIDC_JWKS_URL: idp.jwksUrl,
        PACS_OIDC_AUDIENCE: idp.audience,
        PACS_OIDC_ROLES_CLAIM: 'realm_access.roles',
        PACS_OIDC_ROLE_MAPPING: JSON.stringify({ 'pacs-readers': 'radiologist' }),
        PACS_OIDC_CLOCK_SKEW_SECONDS: '60',
      },
    });
  });
  after(async () => {
    await server?.stop();
    await idp?.close();
  });

  const studies = (token: string) => http(`${server.httpUrl}/dicomweb/studies`, { token });
  const users = (token: string) => http(`${server.httpUrl}/api/users`, { token });

  /** 401 for the token, and the reason in the server log, without the token in it. */
  async function refused(token: string, reason: RegExp): Promise<void> {
    const res = await studies(token);
    assert.equal(res.status, 401, res.body.toString());
    assert.equal(res.json().error, 'unauthenticated');
    await sleep(50);
    const logs = server.logs();
    assert.ok(!logs.includes(token), 'the token must never be logged');
    const lines = logs.split('\n').filter((l) => l.includes('bearer token refused'));
    assert.ok(lines.some((l) => reason.test(l)), `no log line with ${reason}:\n${lines.slice(-5).join('\n')}`);
  }

  it('accepts a valid RS256 token and maps its realm roles (pacs-readers → radiologist)', async () => {
    const token = await idp.sign(rsa, reader);
    assert.equal((await studies(token)).status, 200);
    // radiologist: study:read but not admin.
    const res = await users(token);
    assert.equal(res.status, 403);
    assert.match(res.json().message, /Permission 'admin' is required; user "dr.who"/);
  });

  it('accepts a valid ES256 token whose role names are ours, used as they are', async () => {
    const token = await idp.sign(ec, { sub: 'svc-1', realm_access: { roles: ['viewer-service'] } });
    assert.equal((await studies(token)).status, 200);
  });

  it('grants nothing for roles that are neither ours nor mapped', async () => {
    const token = await idp.sign(rsa, { sub: 'u-2', realm_access: { roles: ['offline_access'] } });
    assert.equal((await studies(token)).status, 403);
  });

  it('allows the configured clock skew but refuses a token expired beyond it', async () => {
    assert.equal((await studies(await idp.sign(rsa, reader, { expiresIn: now() - 20 }))).status, 200);
    await refused(await idp.sign(rsa, reader, { expiresIn: now() - 300 }), /"reason":"expired"/);
  });

  it('refuses a token from another issuer', async () => {
    await refused(await idp.sign(rsa, reader, { issuer: 'https://evil.example/realms/test' }), /"reason":"wrong issuer"/);
  });

  it('refuses a token for another audience', async () => {
    await refused(await idp.sign(rsa, reader, { audience: 'someone-else' }), /"reason":"wrong audience"/);
  });

  it('refuses an unsigned token (alg: none) naming our issuer and audience', async () => {
    const token = unsignedToken({ ...reader, iss: idp.issuer, aud: idp.audience, exp: now() + 300 });
    await refused(token, /"reason":"algorithm not allowed/);
  });

  it('refuses a tampered token (payload changed to role admin, signature kept)', async () => {
    const [header, , signature] = (await idp.sign(rsa, reader)).split('.');
    const forged = Buffer.from(JSON.stringify({ ...reader, realm_access: { roles: ['admin'] }, iss: idp.issuer, aud: idp.audience, exp: now() + 300 })).toString('base64url');
    await refused(`${header}.${forged}.${signature}`, /"reason":"bad signature/);
  });

  it('refuses a token signed by an unknown kid, then accepts the rotated key once the JWKS publishes it', async () => {
    const rotated = await newKey('rsa-2', 'RS256');
    const token = await idp.sign(rotated, reader);
    await sleep(1_100); // past the refetch cooldown (at most one JWKS fetch per second)
    const before = idp.fetches();
    await refused(token, /"reason":"no key in the JWKS matches/);
    assert.ok(idp.fetches() > before, 'an unknown kid makes the server refetch the JWKS');
    idp.publish([rotated, ec]);
    await sleep(1_100); // the refetch cooldown
    assert.equal((await studies(token)).status, 200);
    // The old key is gone from the JWKS: its tokens are refused from now on.
    await refused(await idp.sign(rsa, reader), /"reason":"no key in the JWKS matches/);
  });

  it('keeps accepting local tokens side by side', async () => {
    const local = await server.token();
    assert.equal((await users(local)).status, 200);
  });
});
