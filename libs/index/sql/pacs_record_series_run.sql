-- Records a run of rows of one series on its study and series rows: scalar columns from the
-- run's last row `p`, the merged level attributes, `added` new instances.
CREATE OR REPLACE FUNCTION pacs_record_series_run(p jsonb, v_patient bigint, v_study bigint, v_series bigint, added int, series_new boolean,
  study_attributes jsonb, series_attributes jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE studies SET patient_pk = v_patient, study_date = p->>'studyDate', study_time = p->>'studyTime',
    accession_number = p->>'accessionNumber', study_id = p->>'studyId', study_description = p->>'studyDescription',
    referring_physician = p->>'referringPhysician', attributes = attributes || study_attributes, updated_at = now(),
    num_instances = num_instances + added,
    num_series = num_series + (added > 0 AND series_new)::int,
    modalities = CASE WHEN added = 0 OR p->>'modality' IS NULL OR p->>'modality' = ANY(modalities) THEN modalities
                      ELSE modalities || (p->>'modality') END
  WHERE id = v_study;
  UPDATE series SET study_pk = v_study, modality = p->>'modality', series_number = (p->>'seriesNumber')::int,
    series_description = p->>'seriesDescription', body_part = p->>'bodyPart',
    attributes = attributes || series_attributes, updated_at = now(),
    num_instances = num_instances + added
  WHERE id = v_series;
END;
$$;
