import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * pacs_index_instance(p jsonb): records one stored instance — patient, study, series, instance
 * and the counters (series/study instance counts, study series count, ModalitiesInStudy) — in a
 * single statement, so an ingest costs one round trip and one commit. Rows are locked in one
 * order (instance → study → series) so concurrent stores cannot deadlock; a plain SELECT first
 * keeps the patient/study/series rows unlocked when nothing about them changes.
 */
export class IndexInstanceFunction1763910000000 implements MigrationInterface {
  name = 'IndexInstanceFunction1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
CREATE FUNCTION pacs_index_instance(p jsonb) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_patient bigint;
  v_study bigint;
  v_series bigint;
  v_series_new boolean := false;
  v_previous bigint;
BEGIN
  SELECT id INTO v_patient FROM patients WHERE patient_id = p->>'patientId' AND issuer = p->>'issuer';
  IF v_patient IS NULL THEN
    INSERT INTO patients (patient_id, issuer, patient_name, birth_date, sex)
    VALUES (p->>'patientId', p->>'issuer', p->>'patientName', p->>'birthDate', p->>'sex')
    ON CONFLICT (patient_id, issuer) DO UPDATE SET updated_at = now() RETURNING id INTO v_patient;
  ELSE
    UPDATE patients SET patient_name = p->>'patientName', birth_date = p->>'birthDate', sex = p->>'sex', updated_at = now()
    WHERE id = v_patient AND (patient_name, birth_date, sex) IS DISTINCT FROM (p->>'patientName', p->>'birthDate', p->>'sex');
  END IF;

  SELECT id INTO v_study FROM studies WHERE study_uid = p->>'studyUid';
  IF v_study IS NULL THEN
    INSERT INTO studies (study_uid, patient_pk) VALUES (p->>'studyUid', v_patient)
    ON CONFLICT (study_uid) DO NOTHING RETURNING id INTO v_study;
    IF v_study IS NULL THEN SELECT id INTO v_study FROM studies WHERE study_uid = p->>'studyUid'; END IF;
  END IF;

  SELECT id INTO v_series FROM series WHERE series_uid = p->>'seriesUid';
  IF v_series IS NULL THEN
    INSERT INTO series (series_uid, study_pk) VALUES (p->>'seriesUid', v_study)
    ON CONFLICT (series_uid) DO NOTHING RETURNING id INTO v_series;
    IF v_series IS NULL THEN
      SELECT id INTO v_series FROM series WHERE series_uid = p->>'seriesUid';
    ELSE
      v_series_new := true;
    END IF;
  END IF;

  -- Instance, then study, then series: the one lock order of every ingest.
  SELECT series_pk INTO v_previous FROM instances WHERE sop_instance_uid = p->>'sopInstanceUid' FOR UPDATE;
  UPDATE studies SET patient_pk = v_patient, study_date = p->>'studyDate', study_time = p->>'studyTime',
    accession_number = p->>'accessionNumber', study_id = p->>'studyId', study_description = p->>'studyDescription',
    referring_physician = p->>'referringPhysician', attributes = attributes || (p->'studyAttributes'), updated_at = now(),
    num_instances = num_instances + (v_previous IS NULL)::int,
    num_series = num_series + (v_previous IS NULL AND v_series_new)::int,
    modalities = CASE WHEN v_previous IS NOT NULL OR p->>'modality' IS NULL OR p->>'modality' = ANY(modalities) THEN modalities
                      ELSE modalities || (p->>'modality') END
  WHERE id = v_study;
  UPDATE series SET study_pk = v_study, modality = p->>'modality', series_number = (p->>'seriesNumber')::int,
    series_description = p->>'seriesDescription', body_part = p->>'bodyPart',
    attributes = attributes || (p->'seriesAttributes'), updated_at = now(),
    num_instances = num_instances + (v_previous IS NULL)::int
  WHERE id = v_series;
  INSERT INTO instances (sop_instance_uid, series_pk, sop_class_uid, instance_number, transfer_syntax_uid,
    blob_key, size_bytes, sha256, source_ae, attributes)
  VALUES (p->>'sopInstanceUid', v_series, p->>'sopClassUid', (p->>'instanceNumber')::int, p->>'transferSyntaxUid',
    p->>'blobKey', (p->>'sizeBytes')::bigint, p->>'sha256', p->>'sourceAe', p->'attributes')
  ON CONFLICT (sop_instance_uid) DO UPDATE SET series_pk = EXCLUDED.series_pk, sop_class_uid = EXCLUDED.sop_class_uid,
    instance_number = EXCLUDED.instance_number, transfer_syntax_uid = EXCLUDED.transfer_syntax_uid,
    blob_key = EXCLUDED.blob_key, size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256,
    source_ae = EXCLUDED.source_ae, attributes = EXCLUDED.attributes, updated_at = now();

  IF v_previous IS NOT NULL THEN
    -- A resent instance may have moved to another series or changed modality: recount what it touches.
    UPDATE series s SET num_instances = (SELECT count(*) FROM instances i WHERE i.series_pk = s.id)
    WHERE s.id IN (v_previous, v_series);
    UPDATE studies st SET
      num_series = (SELECT count(*) FROM series s WHERE s.study_pk = st.id AND s.num_instances > 0),
      num_instances = (SELECT coalesce(sum(s.num_instances), 0) FROM series s WHERE s.study_pk = st.id),
      modalities = (SELECT coalesce(array_agg(DISTINCT s.modality) FILTER (WHERE s.modality IS NOT NULL AND s.num_instances > 0), '{}')
                    FROM series s WHERE s.study_pk = st.id)
    WHERE st.id IN (SELECT study_pk FROM series WHERE id IN (v_previous, v_series));
  END IF;
  RETURN v_previous IS NULL;
END;
$$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION IF EXISTS pacs_index_instance(jsonb)');
  }
}
