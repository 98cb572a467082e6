import { MigrationInterface, QueryRunner } from 'typeorm';
import { INDEX_INSTANCE as PREVIOUS_INDEX_INSTANCE, INDEX_INSTANCES as PREVIOUS_INDEX_INSTANCES } from './1765000000000-IndexInstancesBySeries';

/**
 * No blob without a row (issue 27). `blob_removals` holds the blobs that no row references any
 * more and whose files are still to be removed: each is recorded in the transaction that stops
 * referencing it (an overwrite in pacs_index_instance, a deletion in DeletionService), removed
 * after the commit, and its record deleted then; what a crash leaves here is removed at the
 * next start. The SOP Instance UID says which row the proof "nothing references this key" has
 * to look at (a key is only ever written to its own instance's row).
 *
 * pacs_index_instance and pacs_index_instances now say, for each row, what the write did,
 * decided under the instance's row lock: `{"inserted": true}`, `{"replaced": <previous key>}`
 * (recorded in blob_removals in the same transaction, so the ingest removes exactly the blob
 * its commit superseded, however overwrites of one instance interleave), or `{"exists": true}`
 * for a row sent with `expectNew` (a store whose blob is not durable yet) that found the
 * instance already indexed: nothing is written, and the ingest overwrites once its blob is
 * durable, so an acknowledged version is never replaced by bytes a power loss can still take.
 */
export class BlobRemovals1765320000000 implements MigrationInterface {
  name = 'BlobRemovals1765320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE blob_removals (
        blob_key text PRIMARY KEY,
        sop_instance_uid text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('DROP FUNCTION pacs_index_instances(jsonb)');
    await q.query('DROP FUNCTION pacs_index_instance(jsonb)');
    await q.query(INDEX_INSTANCE);
    await q.query(INDEX_INSTANCES);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION pacs_index_instances(jsonb)');
    await q.query('DROP FUNCTION pacs_index_instance(jsonb)');
    await q.query(PREVIOUS_INDEX_INSTANCE);
    await q.query(PREVIOUS_INDEX_INSTANCES);
    await q.query('DROP TABLE blob_removals');
  }
}

/** One row (lock order instance, study, series), saying what it did. */
const INDEX_INSTANCE = `
CREATE FUNCTION pacs_index_instance(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
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
$$`;

/** The batch, in array order, one study and series update per run of one series; one result per row. */
const INDEX_INSTANCES = `
CREATE FUNCTION pacs_index_instances(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
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
$$`;
