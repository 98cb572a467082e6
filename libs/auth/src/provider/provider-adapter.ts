import type { Adapter, AdapterPayload } from 'oidc-provider';
import { DataSource } from 'typeorm';
import { storableValue } from '@pacs/database';

/** Expired rows are swept at most this often per node, by whichever write comes first. */
const SWEEP_INTERVAL_MS = 10 * 60_000;
let lastSweep = 0;

/**
 * oidc-provider's storage interface on table oidc_provider_state (migration
 * OidcProviderState1765431000000), so that a session, code or refresh token issued by one node is
 * found by every other. An expired row is never returned; rows expired for an hour are deleted.
 */
export class PostgresProviderAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly db: DataSource,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    // Request parameters (state, nonce, ...) are kept in payloads: PostgreSQL cannot hold NUL.
    const stored = storableValue(payload);
    await this.db.query(
      `INSERT INTO oidc_provider_state (model, id, payload, grant_id, uid, user_code, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
       ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
         uid = EXCLUDED.uid, user_code = EXCLUDED.user_code, expires_at = EXCLUDED.expires_at`,
      [this.model, id, JSON.stringify(stored), stored.grantId ?? null, stored.uid ?? null, stored.userCode ?? null, expiresIn ?? null],
    );
    await this.sweep();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.one('id = $2', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.one('uid = $2', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.one('user_code = $2', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.db.query(
      `UPDATE oidc_provider_state SET payload = payload || jsonb_build_object('consumed', floor(extract(epoch FROM now()))::int)
       WHERE model = $1 AND id = $2`,
      [this.model, id],
    );
  }

  async destroy(id: string): Promise<void> {
    await this.db.query('DELETE FROM oidc_provider_state WHERE model = $1 AND id = $2', [this.model, id]);
  }

  /** Every code and token of a grant goes with it (logout, a refresh token used twice). */
  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.query('DELETE FROM oidc_provider_state WHERE grant_id = $1', [grantId]);
  }

  private async one(where: string, value: string): Promise<AdapterPayload | undefined> {
    const rows: { payload: AdapterPayload }[] = await this.db.query(
      `SELECT payload FROM oidc_provider_state WHERE model = $1 AND ${where} AND (expires_at IS NULL OR expires_at > now())`,
      [this.model, value],
    );
    return rows[0]?.payload;
  }

  private async sweep(): Promise<void> {
    if (Date.now() - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = Date.now();
    await this.db.query(`DELETE FROM oidc_provider_state WHERE expires_at < now() - interval '1 hour'`);
  }
}
