import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks of libs/webhooks (issue 33): HTTP endpoints of other systems told of study events
 * (study.received, study.complete, instance.rejected), each delivery a job of the job queue.
 * The secret signs each body (HMAC-SHA256); the API never returns it after creation.
 */
export class Webhooks1765450000000 implements MigrationInterface {
  name = 'Webhooks1765450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        events text[] NOT NULL,
        secret text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhooks');
  }
}
