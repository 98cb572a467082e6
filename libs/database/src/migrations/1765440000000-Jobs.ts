import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The job queue of libs/jobs (issue 33): work that must survive restarts and run once across
 * nodes. A job is claimed with FOR UPDATE SKIP LOCKED and held by a lease (locked_by,
 * locked_until); one whose lease expired is claimed again. Jobs with one ordering_key (a
 * forwarding destination) run in id order, one batch at a time. `routing_rules` belongs to
 * libs/routing: the forwarding rules whose matches become `forward` jobs.
 */
export class Jobs1765440000000 implements MigrationInterface {
  name = 'Jobs1765440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jobs (
        id bigserial PRIMARY KEY,
        type text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL DEFAULT 'created' CHECK (state IN ('created', 'active', 'retry', 'completed', 'failed', 'cancelled')),
        ordering_key text,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        run_after timestamptz NOT NULL DEFAULT now(),
        locked_by text,
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    // What a claim scans: the jobs still to run, by due time; and those of one ordering key.
    await q.query(`CREATE INDEX jobs_due_idx ON jobs (type, run_after, id) WHERE state IN ('created', 'retry', 'active')`);
    await q.query(`CREATE INDEX jobs_ordering_idx ON jobs (type, ordering_key, id) WHERE state IN ('created', 'retry', 'active')`);
    await q.query('CREATE INDEX jobs_state_idx ON jobs (state, type, id)');
    await q.query(`
      CREATE TABLE routing_rules (
        name text PRIMARY KEY,
        match jsonb NOT NULL,
        forward_to text[] NOT NULL,
        delay_seconds integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE routing_rules');
    await q.query('DROP TABLE jobs');
  }
}
