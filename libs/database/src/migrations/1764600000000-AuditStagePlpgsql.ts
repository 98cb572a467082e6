import { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_STAGE_FUNCTION } from './1764500000000-AuditStaging';

/**
 * audit_stage as PL/pgSQL. A LANGUAGE sql function that cannot be inlined (it inserts) is
 * parsed and planned again on every call; PL/pgSQL keeps the INSERT's plan for the session. It
 * runs once per stored instance (in the index commit), where the re-parse showed in profiles.
 */
export class AuditStagePlpgsql1764600000000 implements MigrationInterface {
  name = 'AuditStagePlpgsql1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(AUDIT_STAGE_PLPGSQL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_stage(jsonb)`);
    await q.query(AUDIT_STAGE_FUNCTION);
  }
}

/** audit_stage as this migration defines it (read by AuditEventSource1765330000000's down). */
export const AUDIT_STAGE_PLPGSQL = `
  CREATE OR REPLACE FUNCTION audit_stage(e jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    v_id bigint;
  BEGIN
    INSERT INTO audit_events (time, actor, actor_type, source_address, action, action_name, action_code, outcome,
                              patient_id, study_uids, details)
    VALUES ((e->>'time')::timestamptz, e->>'actor', e->>'actorType', e->>'sourceAddress', e->>'action',
            e->>'actionName', e->>'actionCode', (e->>'outcome')::smallint, e->>'patientId',
            ARRAY(SELECT jsonb_array_elements_text(e->'studyUids')), e->'details')
    RETURNING id INTO v_id;
    RETURN v_id;
  END $$`;
