// Public API of @pacs/audit: the recorder, its DIMSE helpers and the PS3.15 A.5 vocabulary.
export { AuditModule } from './audit.module';
export { AuditService } from './audit.service';
export type { VerifyResult } from './audit.service';
export { DimseAuditor } from './dimse-auditor';
export type { DimseAuditContext, DimseOperationFacts } from './dimse-auditor';
export { instanceStoredEvent } from './instances-stored';
export { AuditEventEntity } from './audit-event.entity';
export type { AuditEvent, AuditEventInput } from './audit-event';
export { AuditAction, AuditEventType, AuditOutcome, AUDIT_ACTION_NAMES } from './audit-codes';
export type { ActorType, AuditActionCodeLetter } from './audit-codes';
export { formatSyslog, parseSyslogUrl, SYSLOG_MSGIDS } from './syslog-forwarder';
export type { SyslogFormat } from './syslog-forwarder';
