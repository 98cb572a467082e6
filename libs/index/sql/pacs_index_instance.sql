-- Indexes one instance (lock order instance, study, series) and says what the write did, decided
-- under the instance's row lock: {"inserted": true}; {"replaced": <previous key>} (that key is
-- recorded in blob_removals in the same transaction); or {"exists": true} for a row sent with
-- `expectNew` that found the instance already indexed (nothing written).
CREATE OR REPLACE FUNCTION pacs_index_instance(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v record;
  v_previous bigint;
  v_previous_key text;
BEGIN
  SELECT * INTO v FROM pacs_resolve_series(p);
  -- Instance, then study, then series: the one lock order of every ingest.
  SELECT series_pk, blob_key INTO v_previous, v_previous_key FROM instances WHERE sop_instance_uid = p->>'sopInstanceUid' FOR UPDATE;
  IF v_previous IS NOT NULL AND (p->>'expectNew')::boolean THEN
    RETURN '{"exists": true}';
  END IF;
  PERFORM pacs_record_series_run(p, v.patient_pk, v.study_pk, v.series_pk, (v_previous IS NULL)::int, v.series_new,
    p->'studyAttributes', p->'seriesAttributes');
  INSERT INTO instances (sop_instance_uid, series_pk, sop_class_uid, instance_number, transfer_syntax_uid,
    blob_key, size_bytes, sha256, source_ae, attributes)
  VALUES (p->>'sopInstanceUid', v.series_pk, p->>'sopClassUid', (p->>'instanceNumber')::int, p->>'transferSyntaxUid',
    p->>'blobKey', (p->>'sizeBytes')::bigint, p->>'sha256', p->>'sourceAe', p->'attributes')
  ON CONFLICT (sop_instance_uid) DO UPDATE SET series_pk = EXCLUDED.series_pk, sop_class_uid = EXCLUDED.sop_class_uid,
    instance_number = EXCLUDED.instance_number, transfer_syntax_uid = EXCLUDED.transfer_syntax_uid,
    blob_key = EXCLUDED.blob_key, size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256,
    source_ae = EXCLUDED.source_ae, attributes = EXCLUDED.attributes, updated_at = now();

  IF v_previous IS NULL THEN
    RETURN '{"inserted": true}';
  END IF;
  -- A resent instance may have moved to another series or changed modality: recount what it touches.
  UPDATE series s SET num_instances = (SELECT count(*) FROM instances i WHERE i.series_pk = s.id)
  WHERE s.id IN (v_previous, v.series_pk);
  UPDATE studies st SET
    num_series = (SELECT count(*) FROM series s WHERE s.study_pk = st.id AND s.num_instances > 0),
    num_instances = (SELECT coalesce(sum(s.num_instances), 0) FROM series s WHERE s.study_pk = st.id),
    modalities = (SELECT coalesce(array_agg(DISTINCT s.modality) FILTER (WHERE s.modality IS NOT NULL AND s.num_instances > 0), '{}')
                  FROM series s WHERE s.study_pk = st.id)
  WHERE st.id IN (SELECT study_pk FROM series WHERE id IN (v_previous, v.series_pk));
  IF v_previous_key = p->>'blobKey' THEN
    RETURN '{"replaced": null}';
  END IF;
  INSERT INTO blob_removals (blob_key, sop_instance_uid) VALUES (v_previous_key, p->>'sopInstanceUid') ON CONFLICT DO NOTHING;
  RETURN jsonb_build_object('replaced', v_previous_key);
END;
$$;
