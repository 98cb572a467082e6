import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Corrections, patient merges and series moves (issue 32) set attributes of every instance of a
 * study or series. `attribute_overrides` keeps what a correction set, by the Study or Series
 * Instance UID it applies to (tag → value), for as long as the archive holds the study: an
 * instance that arrives later carrying the old values is coerced to them on receipt (PS3.4
 * B.2.3, Warning B000). The ingest reads it in its index transaction, after it has locked the
 * study row, and a correction records it while holding that lock (see libs/index README).
 */
export class AttributeOverrides1765410000000 implements MigrationInterface {
  name = 'AttributeOverrides1765410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attribute_overrides (
        scope_uid text PRIMARY KEY,
        attributes jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE attribute_overrides');
  }
}
