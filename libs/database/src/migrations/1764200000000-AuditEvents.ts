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
    await q.query(AUDIT_APPEND_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_append(text, jsonb)`);
    await q.query(`DROP TABLE audit_events`);
  }
}

/**
 * Appends a batch of hashed events in one statement (one round trip, one commit), under the
 * chain's advisory lock, if `p_prev` is still the chain head; ids are drawn in chain order.
 * Returns {"ids": [...]} or, when another writer moved the head, {"head": <hash>} and stores
 * nothing, so the caller rehashes the batch on that head.
 */
const AUDIT_APPEND_FUNCTION = `
  CREATE FUNCTION audit_append(p_prev text, p_events jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
  DECLARE
    v_head text;
    v_ids bigint[] := '{}';
    v_id bigint;
    e jsonb;
  BEGIN
    PERFORM pg_advisory_xact_lock(1096107092);
    SELECT hash INTO v_head FROM audit_events ORDER BY id DESC LIMIT 1;
    v_head := coalesce(v_head, repeat('0', 64));
    IF v_head <> p_prev THEN
      RETURN jsonb_build_object('head', v_head);
    END IF;
    FOR e IN SELECT value FROM jsonb_array_elements(p_events) WITH ORDINALITY ORDER BY ordinality LOOP
      INSERT INTO audit_events (time, actor, actor_type, source_address, action, action_name, action_code, outcome,
                                patient_id, study_uids, details, prev_hash, hash)
      VALUES ((e->>'time')::timestamptz, e->>'actor', e->>'actorType', e->>'sourceAddress', e->>'action',
              e->>'actionName', e->>'actionCode', (e->>'outcome')::smallint, e->>'patientId',
              ARRAY(SELECT jsonb_array_elements_text(e->'studyUids')), e->'details', e->>'prevHash', e->>'hash')
      RETURNING id INTO v_id;
      v_ids := v_ids || v_id;
    END LOOP;
    RETURN jsonb_build_object('ids', to_jsonb(v_ids));
  END $$`;
