import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import type { PacsConfig } from '@pacs/config';
import type { ActiveUser, ActiveUserCache } from './active-user-cache';
import type { AuthUser } from './auth-user';
import { JwtStrategy } from './jwt.strategy';
import type { ProviderKeys } from './provider/provider-keys';
import { rejectionReason } from './token-rejection';

const SECRET = '0123456789abcdef0123';
const config = { oidc: { issuer: null, jwksUrl: null, audience: null } } as unknown as PacsConfig;
const rows: Record<string, ActiveUser> = { alice: { username: 'alice', roles: ['auditor'] } };
const users = { get: async (name: string) => rows[name] ?? null } as unknown as ActiveUserCache;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const providerKeys: ProviderKeys = {
  signingJwk: { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' },
  publicKey: rsa.publicKey,
  cookieKeys: ['c'],
};
const strategy = new JwtStrategy(SECRET, config, users, providerKeys);
const providerOff = new JwtStrategy(SECRET, config, users, null);

/** Runs passport-jwt on a request carrying `token`: the user, or the logged reason. */
function authenticate(token: string, by = strategy): Promise<AuthUser | string> {
  return new Promise((resolve) => {
    const run = Object.create(by) as JwtStrategy & Record<string, unknown>;
    run.success = (user: AuthUser) => resolve(user);
    run.fail = (info: unknown) => resolve(rejectionReason(info) ?? 'no reason');
    run.error = (err: unknown) => resolve(rejectionReason(err) ?? 'no reason');
    run.authenticate({ headers: { authorization: `Bearer ${token}` } } as never);
  });
}

const local = (claims: Record<string, unknown> = {}, alg = 'HS256', secret = SECRET) =>
  new SignJWT({ roles: ['admin'], iss: 'pacs', sub: 'alice', exp: Math.floor(Date.now() / 1000) + 300, ...claims })
    .setProtectedHeader({ alg })
    .sign(new TextEncoder().encode(secret));
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('JwtStrategy (passport-jwt) with local tokens', () => {
  it('accepts a local HS256 token and takes the roles from the user row, not the token', async () => {
    const user = (await authenticate(await local())) as AuthUser;
    assert.equal(user.username, 'alice');
    assert.deepEqual(user.roles, ['auditor']);
  });

  it('refuses a token signed with another secret, an expired one and one of a disabled user', async () => {
    assert.match(String(await authenticate(await local({}, 'HS256', 'another-secret-0123'))), /bad signature/);
    assert.equal(await authenticate(await local({ exp: Math.floor(Date.now() / 1000) - 1 })), 'expired');
    assert.equal(await authenticate(await local({ sub: 'bob' })), 'user disabled or deleted');
  });

  it('refuses alg none and HS384 for our issuer, a foreign issuer and a malformed token', async () => {
    const claims = { iss: 'pacs', sub: 'alice', exp: Math.floor(Date.now() / 1000) + 300 };
    assert.match(String(await authenticate(`${b64({ alg: 'none' })}.${b64(claims)}.`)), /algorithm not allowed/);
    const hs384 = `${b64({ alg: 'HS384' })}.${b64(claims)}`;
    const signature = createHmac('sha384', SECRET).update(hs384).digest('base64url');
    assert.match(String(await authenticate(`${hs384}.${signature}`)), /algorithm not allowed/);
    assert.equal(await authenticate(await local({ iss: 'https://evil.example' })), 'wrong issuer');
    assert.equal(await authenticate('not-a-jwt'), 'malformed token');
  });
});

describe('JwtStrategy with access tokens of our own OpenID provider', () => {
  const issued = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    new SignJWT({ iss: 'http://127.0.0.1:8080/oidc', sub: 'alice', aud: 'urn:pacs:api', exp: Math.floor(Date.now() / 1000) + 300, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt', ...header })
      .sign(rsa.privateKey);

  it('accepts one for our API, on any origin, with the roles of the user row', async () => {
    const user = (await authenticate(await issued())) as AuthUser;
    assert.equal(user.username, 'alice');
    assert.deepEqual(user.roles, ['auditor']);
    assert.equal(((await authenticate(await issued({ iss: 'https://pacs.example.org/oidc' }))) as AuthUser).username, 'alice');
  });

  it('refuses an ID token (other audience), another kid, an HMAC token under our issuer, a disabled user', async () => {
    assert.equal(await authenticate(await issued({ aud: 'pacs-viewer' })), 'wrong audience');
    assert.match(String(await authenticate(await issued({}, { kid: 'k2' }))), /no key of our provider/);
    const hmac = await local({ iss: 'http://127.0.0.1:8080/oidc', aud: 'urn:pacs:api' });
    assert.match(String(await authenticate(hmac)), /algorithm not allowed/);
    assert.equal(await authenticate(await issued({ sub: 'bob' })), 'user disabled or deleted');
  });

  it('refuses them all when the provider is off', async () => {
    assert.equal(await authenticate(await issued(), providerOff), 'wrong issuer');
  });
});
