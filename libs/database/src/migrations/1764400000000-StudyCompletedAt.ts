import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The index keeps when a study became complete (MPPS COMPLETED and every referenced instance
 * stored), so QIDO-RS and C-FIND return and match it as Study Status ID (0032,000A) without
 * reaching into the workflow tables. Backfilled from study_completeness.
 */
export class StudyCompletedAt1764400000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE studies ADD COLUMN completed_at timestamptz`);
    await q.query(
      `UPDATE studies st SET completed_at = sc.completed_at FROM study_completeness sc WHERE sc.study_uid = st.study_uid AND sc.complete`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE studies DROP COLUMN completed_at`);
  }
}
