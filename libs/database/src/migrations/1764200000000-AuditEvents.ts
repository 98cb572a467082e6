import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (PS3.15 A.5 events), a hash chain in id order: each row's hash covers the
 * previous row's hash and the row itself (see libs/audit audit-event.ts).
 */
export class AuditEvents1764200000000 implements MigrationInterface {
  name = 'AuditEvents1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        time timestamptz NOT NULL,
        actor text NOT NULL DEFAULT '',
        actor_type text NOT NULL,
        source_address text,
        action text NOT NULL,
        action_name text NOT NULL,
        action_code char(1) NOT NULL,
        outcome smallint NOT NULL,
        patient_id text,
        study_uids text[] NOT NULL DEFAULT '{}',
        details jsonb NOT NULL DEFAULT '{}',
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_events_time_idx ON audit_events (time)`);
    await q.query(`CREATE INDEX audit_events_actor_idx ON audit_events (actor, id)`);
    await q.query(`CREATE INDEX audit_events_patient_idx ON audit_events (patient_id, id)`);
    await q.query(`CREATE INDEX audit_events_action_idx ON audit_events (action, id)`);
    await q.query(`CREATE INDEX audit_events_study_idx ON audit_events USING gin (study_uids)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
  }
}
