import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * peers.deidentify: a C-MOVE to this peer sends de-identified copies; peers.deidentify_on_receive:
 * what this peer sends is de-identified before it is stored. Each a profile
 * `{"profile": "basic", "options": [...]}` (PS3.15 E.1), or NULL.
 */
export class PeerDeidentify1765430000000 implements MigrationInterface {
  name = 'PeerDeidentify1765430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE peers ADD COLUMN deidentify jsonb, ADD COLUMN deidentify_on_receive jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE peers DROP COLUMN deidentify, DROP COLUMN deidentify_on_receive`);
  }
}
