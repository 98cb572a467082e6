import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * IHE IOCM (issue 32): instances rejected by a Rejection Note leave `instances` for
 * `rejected_instances`, so every reader (QIDO-RS, C-FIND, WADO-RS, C-GET, C-MOVE) answers as if
 * they were absent without a filter. Each row keeps its blob (still on disk, no `blob_removals`
 * record) and the rows it was indexed under, as JSON (`instance_row`, and `series_row`,
 * `study_row`, `patient_row` for when those go because they were left empty), so a restore
 * re-inserts them as they were. After PACS_REJECTED_RETENTION_DAYS a row moves to
 * `blob_removals` and its file goes.
 */
export class RejectedInstances1765420000000 implements MigrationInterface {
  name = 'RejectedInstances1765420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rejected_instances (
        sop_instance_uid text PRIMARY KEY,
        study_uid text NOT NULL,
        series_uid text NOT NULL,
        sop_class_uid text NOT NULL,
        blob_key text NOT NULL,
        patient_id text,
        reason_code text NOT NULL,
        reason_meaning text NOT NULL,
        rejection_note_uid text NOT NULL,
        rejected_by text,
        rejected_at timestamptz NOT NULL DEFAULT now(),
        instance_row jsonb NOT NULL,
        series_row jsonb NOT NULL,
        study_row jsonb NOT NULL,
        patient_row jsonb NOT NULL
      )`);
    await q.query('CREATE INDEX rejected_instances_rejected_at_idx ON rejected_instances (rejected_at)');
    await q.query('CREATE INDEX rejected_instances_blob_key_idx ON rejected_instances (blob_key)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rejected_instances');
  }
}
