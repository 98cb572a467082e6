import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * oidc_provider_state: what the OpenID provider of @pacs/auth keeps between requests (sessions,
 * interactions, authorization codes, grants, refresh tokens; its signing and cookie keys as the
 * row `ProviderKeys`/`current`), shared by every node. One row per (model, id) as oidc-provider's
 * adapter interface names them; the secondary columns are the lookups that interface makes.
 */
export class OidcProviderState1765431000000 implements MigrationInterface {
  name = 'OidcProviderState1765431000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_provider_state (
        model text NOT NULL,
        id text NOT NULL,
        payload jsonb NOT NULL,
        grant_id text,
        uid text,
        user_code text,
        expires_at timestamptz,
        PRIMARY KEY (model, id)
      )`);
    await q.query(`CREATE INDEX oidc_provider_state_grant ON oidc_provider_state (grant_id) WHERE grant_id IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_provider_state_uid ON oidc_provider_state (uid) WHERE uid IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_provider_state_user_code ON oidc_provider_state (user_code) WHERE user_code IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_provider_state_expiry ON oidc_provider_state (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oidc_provider_state`);
  }
}
