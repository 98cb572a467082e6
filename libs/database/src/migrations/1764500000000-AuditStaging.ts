import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staged audit events (libs/audit, AuditSealer). An ingest writes its audit event in the same
 * statement as the index row (audit_stage), so the event costs no extra commit; such a row has
 * no hash yet ("staged"). The sealer then links staged rows into the chain under the chain
 * lock. The chain order is seal_seq (assigned under that lock), not id: ids of concurrent
 * transactions commit out of order, so a staged row with a smaller id may appear after a larger
 * id was already chained. Existing rows were chained in id order under the lock: seal_seq = id.
 */
export class AuditStaging1764500000000 implements MigrationInterface {
  name = 'AuditStaging1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL, ADD COLUMN seal_seq bigint`);
    await q.query(`UPDATE audit_events SET seal_seq = id`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_sealed_check
      CHECK ((seal_seq IS NULL AND hash IS NULL AND prev_hash IS NULL) OR (seal_seq IS NOT NULL AND hash IS NOT NULL AND prev_hash IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX audit_events_seal_seq_idx ON audit_events (seal_seq)`);
    await q.query(`CREATE INDEX audit_events_staged_idx ON audit_events (id) WHERE seal_seq IS NULL`);
    await q.query(AUDIT_APPEND_FUNCTION);
    await q.query(AUDIT_STAGE_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_stage(jsonb)`);
    await q.query(`DELETE FROM audit_events WHERE seal_seq IS NULL`);
    await q.query(`DROP INDEX audit_events_staged_idx`);
    await q.query(`DROP INDEX audit_events_seal_seq_idx`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_sealed_check`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN seal_seq, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL`);
  }
}

/**
 * As in 1764200000000, with the head and the order taken from seal_seq: appends hashed events
 * under the chain lock if `p_prev` is still the head, else returns {"head": <hash>}.
 */
export const AUDIT_APPEND_FUNCTION = `
  CREATE OR REPLACE FUNCTION audit_append(p_prev text, p_events jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
  DECLARE
    v_head text;
    v_seq bigint;
    v_ids bigint[] := '{}';
    v_id bigint;
    e jsonb;
  BEGIN
    PERFORM pg_advisory_xact_lock(1096107092);
    SELECT hash, seal_seq INTO v_head, v_seq FROM audit_events WHERE seal_seq IS NOT NULL ORDER BY seal_seq DESC LIMIT 1;
    v_head := coalesce(v_head, repeat('0', 64));
    v_seq := coalesce(v_seq, 0);
    IF v_head <> p_prev THEN
      RETURN jsonb_build_object('head', v_head);
    END IF;
    FOR e IN SELECT value FROM jsonb_array_elements(p_events) WITH ORDINALITY ORDER BY ordinality LOOP
      v_seq := v_seq + 1;
      INSERT INTO audit_events (time, actor, actor_type, source_address, action, action_name, action_code, outcome,
                                patient_id, study_uids, details, prev_hash, hash, seal_seq)
      VALUES ((e->>'time')::timestamptz, e->>'actor', e->>'actorType', e->>'sourceAddress', e->>'action',
              e->>'actionName', e->>'actionCode', (e->>'outcome')::smallint, e->>'patientId',
              ARRAY(SELECT jsonb_array_elements_text(e->'studyUids')), e->'details', e->>'prevHash', e->>'hash', v_seq)
      RETURNING id INTO v_id;
      v_ids := v_ids || v_id;
    END LOOP;
    RETURN jsonb_build_object('ids', to_jsonb(v_ids));
  END $$`;

/**
 * Stores one event unhashed (staged), taking no lock: called in the same statement as the
 * index write (SELECT pacs_index_instance($1), audit_stage($2)), so both commit together.
 */
export const AUDIT_STAGE_FUNCTION = `
  CREATE FUNCTION audit_stage(e jsonb) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO audit_events (time, actor, actor_type, source_address, action, action_name, action_code, outcome,
                              patient_id, study_uids, details)
    VALUES ((e->>'time')::timestamptz, e->>'actor', e->>'actorType', e->>'sourceAddress', e->>'action',
            e->>'actionName', e->>'actionCode', (e->>'outcome')::smallint, e->>'patientId',
            ARRAY(SELECT jsonb_array_elements_text(e->'studyUids')), e->'details')
    RETURNING id
  $$`;
