/**
 * SQL that stages the audit event passed as jsonb parameter `$n` in the statement's own
 * transaction: the audit trail's function (libs/audit/sql/audit_stage.sql), so an index change
 * and its event commit together (IngestCommitCompanion).
 */
export function stageEventSql(param: number): string {
  return `audit_stage($${param}::jsonb)`;
}

/** The same for every event of a jsonb array at `$n`; its value is their count. */
export function stageEventsSql(param: number): string {
  return `(SELECT count(audit_stage(value)) FROM jsonb_array_elements($${param}::jsonb))`;
}
