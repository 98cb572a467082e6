import { MigrationInterface, QueryRunner } from 'typeorm';

/** peers.tls: our associations to this peer (C-MOVE, Storage Commitment results) go over TLS. */
export class PeerTls1765200000000 implements MigrationInterface {
  name = 'PeerTls1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE peers ADD COLUMN tls boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE peers DROP COLUMN tls`);
  }
}
