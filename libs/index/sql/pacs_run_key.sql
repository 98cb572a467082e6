-- Rows with the same key form one run of pacs_index_instances: same series, study, patient (as sent) and modality.
CREATE OR REPLACE FUNCTION pacs_run_key(p jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY[p->>'seriesUid', p->>'studyUid', p->>'patientId', p->>'issuer', p->>'patientName', p->>'birthDate', p->>'sex', p->>'modality']
$$;
