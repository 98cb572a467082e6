import { MigrationInterface, QueryRunner } from 'typeorm';
import { sqlFile } from '../sql-file';
import { AUDIT_APPEND_FUNCTION as PREVIOUS_AUDIT_APPEND } from './1764500000000-AuditStaging';
import { AUDIT_STAGE_PLPGSQL as PREVIOUS_AUDIT_STAGE } from './1764600000000-AuditStagePlpgsql';

/**
 * Each audit event names the node that recorded it (issue 29): `source`, its PACS_NODE_ID. Any
 * node seals and forwards the events every node staged, so the sealing or forwarding node is
 * not the audit source (PS3.15 A.5.1 AuditSourceIdentification). Rows written before stay
 * NULL: their hashes were computed without a source, and the canonical form leaves a NULL
 * source out, so the chain over them still verifies. audit_stage and audit_append store it.
 */
export class AuditEventSource1765330000000 implements MigrationInterface {
  name = 'AuditEventSource1765330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_events ADD COLUMN source text');
    await q.query(sqlFile('audit', 'applied/20261207-audit_stage.sql'));
    await q.query(sqlFile('audit', 'applied/20261207-audit_append.sql'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(PREVIOUS_AUDIT_STAGE);
    await q.query(PREVIOUS_AUDIT_APPEND);
    await q.query('ALTER TABLE audit_events DROP COLUMN source');
  }
}
