-- Appends hashed events under the chain lock if `p_prev` is still the head of the chain, else
-- returns {"head": <hash>}; the order is taken from seal_seq.
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
                                patient_id, study_uids, details, source, prev_hash, hash, seal_seq)
      VALUES ((e->>'time')::timestamptz, e->>'actor', e->>'actorType', e->>'sourceAddress', e->>'action',
              e->>'actionName', e->>'actionCode', (e->>'outcome')::smallint, e->>'patientId',
              ARRAY(SELECT jsonb_array_elements_text(e->'studyUids')), e->'details', e->>'source', e->>'prevHash', e->>'hash', v_seq)
      RETURNING id INTO v_id;
      v_ids := v_ids || v_id;
    END LOOP;
    RETURN jsonb_build_object('ids', to_jsonb(v_ids));
  END $$;
