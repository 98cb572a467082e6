import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Procedure steps linked to no worklist item (unscheduled or mismatched, IHE Scheduled
 * Workflow) are what the admin reconciles, newest first (`GET /api/mpps?linked=false`): a
 * partial index keeps that list and its count off the whole table.
 */
export class UnlinkedProcedureSteps1765300000000 implements MigrationInterface {
  name = 'UnlinkedProcedureSteps1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX procedure_steps_unlinked_idx ON procedure_steps (created_at DESC) WHERE worklist_item_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX procedure_steps_unlinked_idx`);
  }
}
