-- Finds or creates the patient, study and series rows of an index row; a plain SELECT first leaves them unlocked.
CREATE OR REPLACE FUNCTION pacs_resolve_series(p jsonb, OUT patient_pk bigint, OUT study_pk bigint, OUT series_pk bigint, OUT series_new boolean)
LANGUAGE plpgsql AS $$
BEGIN
  series_new := false;
  SELECT id INTO patient_pk FROM patients WHERE patient_id = p->>'patientId' AND issuer = p->>'issuer';
  IF patient_pk IS NULL THEN
    INSERT INTO patients (patient_id, issuer, patient_name, birth_date, sex)
    VALUES (p->>'patientId', p->>'issuer', p->>'patientName', p->>'birthDate', p->>'sex')
    ON CONFLICT (patient_id, issuer) DO UPDATE SET updated_at = now() RETURNING id INTO patient_pk;
  ELSE
    UPDATE patients SET patient_name = p->>'patientName', birth_date = p->>'birthDate', sex = p->>'sex', updated_at = now()
    WHERE id = patient_pk AND (patient_name, birth_date, sex) IS DISTINCT FROM (p->>'patientName', p->>'birthDate', p->>'sex');
  END IF;

  SELECT id INTO study_pk FROM studies WHERE study_uid = p->>'studyUid';
  IF study_pk IS NULL THEN
    INSERT INTO studies (study_uid, patient_pk) VALUES (p->>'studyUid', patient_pk)
    ON CONFLICT (study_uid) DO NOTHING RETURNING id INTO study_pk;
    IF study_pk IS NULL THEN SELECT id INTO study_pk FROM studies WHERE study_uid = p->>'studyUid'; END IF;
  END IF;

  SELECT id INTO series_pk FROM series WHERE series_uid = p->>'seriesUid';
  IF series_pk IS NULL THEN
    INSERT INTO series (series_uid, study_pk) VALUES (p->>'seriesUid', study_pk)
    ON CONFLICT (series_uid) DO NOTHING RETURNING id INTO series_pk;
    IF series_pk IS NULL THEN
      SELECT id INTO series_pk FROM series WHERE series_uid = p->>'seriesUid';
    ELSE
      series_new := true;
    END IF;
  END IF;
END;
$$;
