import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * peers.move_associations: how many associations a C-MOVE to this peer opens at once (1-8; the
 * limit is MAX_MOVE_ASSOCIATIONS in @pacs/config, repeated here because a migration is frozen).
 */
export class PeerMoveAssociations1764900000000 implements MigrationInterface {
  name = 'PeerMoveAssociations1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE peers ADD COLUMN move_associations integer NOT NULL DEFAULT 1 CHECK (move_associations BETWEEN 1 AND 8)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE peers DROP COLUMN move_associations`);
  }
}
