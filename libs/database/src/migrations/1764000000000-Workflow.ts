import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflow: worklist items scheduled by the RIS (one row per Scheduled Procedure Step for MWL
 * matching, PS3.4 K.6.1.2), Modality Performed Procedure Steps (PS3.4 F) and study completeness.
 */
export class Workflow1764000000000 implements MigrationInterface {
  name = 'Workflow1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE worklist_items (
        id bigserial PRIMARY KEY,
        status text NOT NULL DEFAULT 'SCHEDULED',
        patient_name text NOT NULL,
        patient_id text NOT NULL,
        patient_issuer text NOT NULL DEFAULT '',
        birth_date text,
        sex text,
        accession_number text NOT NULL,
        accession_issuer text NOT NULL DEFAULT '',
        requested_procedure_id text NOT NULL,
        requested_procedure_description text,
        requested_procedure_code jsonb,
        referring_physician text,
        study_uid text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (accession_number, accession_issuer)
      )`);
    await q.query(`CREATE INDEX worklist_items_patient_id_idx ON worklist_items (patient_id)`);
    await q.query(`CREATE INDEX worklist_items_patient_name_idx ON worklist_items (upper(patient_name) text_pattern_ops)`);
    await q.query(`CREATE INDEX worklist_items_requested_procedure_idx ON worklist_items (requested_procedure_id)`);
    await q.query(`CREATE INDEX worklist_items_status_idx ON worklist_items (status)`);
    await q.query(`
      CREATE TABLE worklist_steps (
        id bigserial PRIMARY KEY,
        item_id bigint NOT NULL REFERENCES worklist_items(id) ON DELETE CASCADE,
        position integer NOT NULL,
        step_id text NOT NULL,
        status text NOT NULL DEFAULT 'SCHEDULED',
        modality text NOT NULL,
        station_ae text NOT NULL,
        station_name text,
        start_date text NOT NULL,
        start_time text NOT NULL,
        description text,
        performing_physician text,
        protocol_codes jsonb NOT NULL DEFAULT '[]',
        UNIQUE (item_id, step_id)
      )`);
    // The usual MWL query of a modality: its station AE title and today's date (PS3.4 K.6.1.2).
    await q.query(`CREATE INDEX worklist_steps_station_date_idx ON worklist_steps (station_ae, start_date)`);
    await q.query(`CREATE INDEX worklist_steps_date_idx ON worklist_steps (start_date, start_time)`);
    await q.query(`CREATE INDEX worklist_steps_modality_idx ON worklist_steps (modality, start_date)`);
    await q.query(`
      CREATE TABLE procedure_steps (
        sop_instance_uid text PRIMARY KEY,
        status text NOT NULL,
        study_uid text,
        worklist_item_id bigint REFERENCES worklist_items(id) ON DELETE SET NULL,
        scheduled_step_id text,
        performed_station_ae text,
        calling_ae text,
        referenced_sop_uids text[] NOT NULL DEFAULT '{}',
        attributes jsonb NOT NULL DEFAULT '{}',
        images_complete boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX procedure_steps_study_idx ON procedure_steps (study_uid)`);
    await q.query(`CREATE INDEX procedure_steps_pending_idx ON procedure_steps (study_uid) WHERE status = 'COMPLETED' AND NOT images_complete`);
    await q.query(`
      CREATE TABLE study_completeness (
        study_uid text PRIMARY KEY,
        complete boolean NOT NULL DEFAULT false,
        completed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE study_completeness`);
    await q.query(`DROP TABLE procedure_steps`);
    await q.query(`DROP TABLE worklist_steps`);
    await q.query(`DROP TABLE worklist_items`);
  }
}
