import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * unaccent() for accent-insensitive fuzzy person-name matching (PS3.18 10.6.1.2.1), shared by
 * QIDO-RS and C-FIND.
 */
export class Unaccent1764050000000 implements MigrationInterface {
  name = 'Unaccent1764050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS unaccent`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP EXTENSION IF EXISTS unaccent`);
  }
}
