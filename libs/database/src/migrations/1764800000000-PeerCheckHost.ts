import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * peers.check_host: the host check (an association from this AE title must come from the peer's
 * host) for one peer, even when PACS_DIMSE_CHECK_HOST is off for all.
 */
export class PeerCheckHost1764800000000 implements MigrationInterface {
  name = 'PeerCheckHost1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE peers ADD COLUMN check_host boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE peers DROP COLUMN check_host`);
  }
}
