-- The batch of the ingest's group commit, in array order: one study and series update per run of
-- rows of one series (pacs_run_key); a row already indexed goes through pacs_index_instance.
-- One result per row, as pacs_index_instance gives it.
CREATE OR REPLACE FUNCTION pacs_index_instances(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_results jsonb[] := '{}';
  v_row jsonb;
  v_last jsonb;
  v record;
  v_added int;
  v_study_attributes jsonb;
  v_series_attributes jsonb;
  v_instance bigint;
BEGIN
  FOR v_row IN SELECT value FROM jsonb_array_elements(p) WITH ORDINALITY ORDER BY ordinality LOOP
    IF v_last IS NOT NULL AND pacs_run_key(v_row) IS DISTINCT FROM pacs_run_key(v_last) THEN
      PERFORM pacs_record_series_run(v_last, v.patient_pk, v.study_pk, v.series_pk, v_added, v.series_new, v_study_attributes, v_series_attributes);
      v_last := NULL;
    END IF;
    IF v_last IS NULL THEN
      SELECT * INTO v FROM pacs_resolve_series(v_row);
      v_added := 0;
      v_study_attributes := '{}';
      v_series_attributes := '{}';
    END IF;
    INSERT INTO instances (sop_instance_uid, series_pk, sop_class_uid, instance_number, transfer_syntax_uid,
      blob_key, size_bytes, sha256, source_ae, attributes)
    VALUES (v_row->>'sopInstanceUid', v.series_pk, v_row->>'sopClassUid', (v_row->>'instanceNumber')::int, v_row->>'transferSyntaxUid',
      v_row->>'blobKey', (v_row->>'sizeBytes')::bigint, v_row->>'sha256', v_row->>'sourceAe', v_row->'attributes')
    ON CONFLICT (sop_instance_uid) DO NOTHING RETURNING id INTO v_instance;
    IF v_instance IS NULL THEN
      -- Already indexed: close the run, then the one-row path overwrites, moves and recounts (or refuses).
      IF v_last IS NOT NULL THEN
        PERFORM pacs_record_series_run(v_last, v.patient_pk, v.study_pk, v.series_pk, v_added, v.series_new, v_study_attributes, v_series_attributes);
        v_last := NULL;
      END IF;
      v_results := v_results || pacs_index_instance(v_row);
      CONTINUE;
    END IF;
    v_added := v_added + 1;
    v_study_attributes := v_study_attributes || (v_row->'studyAttributes');
    v_series_attributes := v_series_attributes || (v_row->'seriesAttributes');
    v_last := v_row;
    v_results := v_results || '{"inserted": true}'::jsonb;
  END LOOP;
  IF v_last IS NOT NULL THEN
    PERFORM pacs_record_series_run(v_last, v.patient_pk, v.study_pk, v.series_pk, v_added, v.series_new, v_study_attributes, v_series_attributes);
  END IF;
  RETURN to_jsonb(v_results);
END;
$$;
