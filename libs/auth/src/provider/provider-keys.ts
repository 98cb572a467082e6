import { createPrivateKey, createPublicKey, generateKeyPairSync, JsonWebKey, KeyObject, randomBytes } from 'node:crypto';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PacsConfig } from '@pacs/config';

/** Injection token of the provider's keys (ProviderKeys), or null when the provider is off. */
export const PROVIDER_KEYS = Symbol('OIDC_PROVIDER_KEYS');

/** RS256: what every relying party supports (OpenID Connect Core 15.1 makes it mandatory). */
export const PROVIDER_ALGORITHM = 'RS256';

export interface ProviderKeys {
  /** The private signing key as a JWK (oidc-provider's `jwks`), with `kid`, `alg` and `use`. */
  signingJwk: JsonWebKey & { kid: string };
  /** Its public half, for the token guard. */
  publicKey: KeyObject;
  /** Keys that sign the provider's cookies (Keygrip). */
  cookieKeys: string[];
}

interface StoredKeys {
  signingJwk: JsonWebKey & { kid: string };
  cookieKeys: string[];
}

/**
 * The provider's keys, made by the first node that starts and kept in oidc_provider_state, so
 * that every node and every restart signs, and verifies, with the same ones.
 */
export async function loadProviderKeys(db: DataSource): Promise<ProviderKeys> {
  let stored = await storedKeys(db);
  if (!stored) {
    // Nodes starting together each offer keys; the first insert wins and all read it back.
    await db.query(
      `INSERT INTO oidc_provider_state (model, id, payload) VALUES ('ProviderKeys', 'current', $1) ON CONFLICT DO NOTHING`,
      [JSON.stringify(newKeys())],
    );
    stored = (await storedKeys(db)) as StoredKeys;
  }
  const { signingJwk, cookieKeys } = stored;
  const publicKey = createPublicKey(createPrivateKey({ key: signingJwk, format: 'jwk' }));
  return { signingJwk, publicKey, cookieKeys };
}

async function storedKeys(db: DataSource): Promise<StoredKeys | undefined> {
  const rows: { payload: StoredKeys }[] = await db.query(`SELECT payload FROM oidc_provider_state WHERE model = 'ProviderKeys' AND id = 'current'`);
  return rows[0]?.payload;
}

function newKeys(): StoredKeys {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(12).toString('base64url');
  return {
    signingJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: PROVIDER_ALGORITHM, use: 'sig' },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
}

export const providerKeysProvider = {
  provide: PROVIDER_KEYS,
  useFactory: (config: PacsConfig, db: DataSource) => (config.oidcProvider.enabled ? loadProviderKeys(db) : null),
  inject: [PacsConfig, getDataSourceToken()],
};
