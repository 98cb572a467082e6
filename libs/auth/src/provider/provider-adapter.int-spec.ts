import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { testDataSource } from '../../../../test/support/test-database';
import { PostgresProviderAdapter } from './provider-adapter';
import { loadProviderKeys } from './provider-keys';

describe("the OpenID provider's state in PostgreSQL", () => {
  let ds: DataSource;
  let close: () => Promise<void>;

  before(async () => {
    ({ dataSource: ds, close } = await testDataSource());
  });
  after(() => close?.());

  it('finds a session by id and uid, and never once it has expired', async () => {
    const sessions = new PostgresProviderAdapter('Session', ds);
    await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
    assert.equal((await sessions.find('s1'))?.accountId, 'alice');
    assert.equal((await sessions.findByUid('u1'))?.accountId, 'alice');
    await ds.query(`UPDATE oidc_provider_state SET expires_at = now() - interval '1 second' WHERE id = 's1'`);
    assert.equal(await sessions.find('s1'), undefined);
    assert.equal(await sessions.findByUid('u1'), undefined);
  });

  it('marks a code consumed, and revokes every token of a grant at once', async () => {
    const codes = new PostgresProviderAdapter('AuthorizationCode', ds);
    const refresh = new PostgresProviderAdapter('RefreshToken', ds);
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await refresh.upsert('r1', { grantId: 'g1' }, 600);
    await refresh.upsert('r2', { grantId: 'g2' }, 600);
    await codes.consume('c1');
    assert.equal(typeof (await codes.find('c1'))?.consumed, 'number');
    await refresh.revokeByGrantId('g1');
    assert.equal(await codes.find('c1'), undefined);
    assert.equal(await refresh.find('r1'), undefined);
    assert.ok(await refresh.find('r2'), 'another grant is untouched');
  });

  it('keeps a payload holding NUL (request parameters) instead of failing the request', async () => {
    const interactions = new PostgresProviderAdapter('Interaction', ds);
    await interactions.upsert('i1', { params: { state: 'a\u0000b' } }, 60);
    assert.deepEqual((await interactions.find('i1'))?.params, { state: 'a\\u0000b' });
  });

  it('makes the keys once: every later load (another node, a restart) gets the same', async () => {
    const [first, second] = await Promise.all([loadProviderKeys(ds), loadProviderKeys(ds)]);
    assert.equal(first.signingJwk.kid, second.signingJwk.kid);
    assert.deepEqual(first.cookieKeys, second.cookieKeys);
    assert.equal((await loadProviderKeys(ds)).signingJwk.kid, first.signingJwk.kid);
    assert.equal(first.publicKey.asymmetricKeyType, 'rsa');
  });
});
