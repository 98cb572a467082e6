import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * pacs_index_instances(p jsonb): pacs_index_instance for each row of a JSON array, in array
 * order, in the caller's one statement (so one transaction and one commit for the lot). The
 * ingest group-commits the index rows of concurrent stores through it (IndexRepository): four
 * associations then cost PostgreSQL one statement, one commit and one WAL flush per batch
 * instead of per instance. Returns, per row, whether the instance is new.
 */
export class IndexInstancesBatch1764700000000 implements MigrationInterface {
  name = 'IndexInstancesBatch1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
CREATE FUNCTION pacs_index_instances(p jsonb) RETURNS boolean[] LANGUAGE plpgsql AS $$
DECLARE
  v_inserted boolean[] := '{}';
  v_row jsonb;
BEGIN
  FOR v_row IN SELECT value FROM jsonb_array_elements(p) WITH ORDINALITY ORDER BY ordinality LOOP
    v_inserted := v_inserted || pacs_index_instance(v_row);
  END LOOP;
  RETURN v_inserted;
END;
$$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION IF EXISTS pacs_index_instances(jsonb)');
  }
}
