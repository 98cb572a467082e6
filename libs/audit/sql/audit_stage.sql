-- Stores one event unhashed (staged), taking no lock: called in the statement of the index write
-- (the ingest's commit companion), so both commit together; the sealer chains it afterwards.
CREATE OR REPLACE FUNCTION audit_stage(e jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
  DECLARE
    v_id bigint;
  BEGIN
    INSERT INTO audit_events (time, actor, actor_type, source_address, action, action_name, action_code, outcome,
                              patient_id, study_uids, details, source)
    VALUES ((e->>'time')::timestamptz, e->>'actor', e->>'actorType', e->>'sourceAddress', e->>'action',
            e->>'actionName', e->>'actionCode', (e->>'outcome')::smallint, e->>'patientId',
            ARRAY(SELECT jsonb_array_elements_text(e->'studyUids')), e->'details', e->>'source')
    RETURNING id INTO v_id;
    RETURN v_id;
  END $$;
