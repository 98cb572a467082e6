import { MigrationInterface, QueryRunner } from 'typeorm';

/** Index (patients → studies → series → instances), users and DICOM peers. */
export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE patients (
        id bigserial PRIMARY KEY,
        patient_id text NOT NULL DEFAULT '',
        issuer text NOT NULL DEFAULT '',
        patient_name text,
        birth_date text,
        sex text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (patient_id, issuer)
      )`);
    await q.query(`CREATE INDEX patients_name_idx ON patients (upper(patient_name) text_pattern_ops)`);
    await q.query(`
      CREATE TABLE studies (
        id bigserial PRIMARY KEY,
        study_uid text NOT NULL UNIQUE,
        patient_pk bigint NOT NULL REFERENCES patients(id),
        study_date text,
        study_time text,
        accession_number text,
        study_id text,
        study_description text,
        referring_physician text,
        modalities text[] NOT NULL DEFAULT '{}',
        num_series integer NOT NULL DEFAULT 0,
        num_instances integer NOT NULL DEFAULT 0,
        attributes jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX studies_patient_idx ON studies (patient_pk)`);
    await q.query(`CREATE INDEX studies_date_idx ON studies (study_date)`);
    await q.query(`CREATE INDEX studies_accession_idx ON studies (accession_number)`);
    await q.query(`CREATE INDEX studies_modalities_idx ON studies USING gin (modalities)`);
    await q.query(`
      CREATE TABLE series (
        id bigserial PRIMARY KEY,
        series_uid text NOT NULL UNIQUE,
        study_pk bigint NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        modality text,
        series_number integer,
        series_description text,
        body_part text,
        num_instances integer NOT NULL DEFAULT 0,
        attributes jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX series_study_idx ON series (study_pk)`);
    await q.query(`
      CREATE TABLE instances (
        id bigserial PRIMARY KEY,
        sop_instance_uid text NOT NULL UNIQUE,
        series_pk bigint NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        sop_class_uid text NOT NULL,
        instance_number integer,
        transfer_syntax_uid text NOT NULL,
        blob_key text NOT NULL,
        size_bytes bigint NOT NULL,
        sha256 text NOT NULL,
        source_ae text,
        attributes jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX instances_series_idx ON instances (series_pk, instance_number)`);
    await q.query(`
      CREATE TABLE users (
        id bigserial PRIMARY KEY,
        username text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE peers (
        id bigserial PRIMARY KEY,
        ae_title text NOT NULL UNIQUE,
        host text NOT NULL,
        port integer NOT NULL,
        services text[] NOT NULL DEFAULT '{}',
        description text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['peers', 'users', 'instances', 'series', 'studies', 'patients']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
