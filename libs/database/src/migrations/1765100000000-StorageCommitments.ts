import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * storage_commitments: Storage Commitment requests (PS3.4 J) accepted and not yet answered, so
 * that a result whose delivery failed is sent again, after a restart too. Rows go once delivered
 * or given up; the partial index finds the due ones.
 */
export class StorageCommitments1765100000000 implements MigrationInterface {
  name = 'StorageCommitments1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE storage_commitments (
        id bigserial PRIMARY KEY,
        transaction_uid text NOT NULL,
        calling_ae text NOT NULL,
        instance_refs jsonb NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text
      )`);
    await q.query(`CREATE INDEX storage_commitments_due ON storage_commitments (next_attempt_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE storage_commitments`);
  }
}
