/**
 * Audit vocabulary modelled on DICOM PS3.15 A.5 (Audit Trail Message Format Profile):
 * Event IDs from DCM (PS3.16 CID 400 "Audit Event ID"), Event Action Codes and Event Outcome
 * Indicators as in A.5.1 (EventIdentification).
 */
export const AuditAction = {
  ApplicationActivity: '110100',
  AuditLogUsed: '110101',
  BeginTransferringInstances: '110102',
  InstancesAccessed: '110103',
  InstancesTransferred: '110104',
  StudyDeleted: '110105',
  Export: '110106',
  Import: '110107',
  NetworkEntry: '110108',
  OrderRecord: '110109',
  PatientRecord: '110110',
  ProcedureRecord: '110111',
  Query: '110112',
  SecurityAlert: '110113',
  UserAuthentication: '110114',
} as const;
export type AuditActionCode = (typeof AuditAction)[keyof typeof AuditAction];

/** Readable names (PS3.16 CID 400 code meanings). */
export const AUDIT_ACTION_NAMES: Record<string, string> = {
  '110100': 'Application Activity',
  '110101': 'Audit Log Used',
  '110102': 'Begin Transferring DICOM Instances',
  '110103': 'DICOM Instances Accessed',
  '110104': 'DICOM Instances Transferred',
  '110105': 'DICOM Study Deleted',
  '110106': 'Export',
  '110107': 'Import',
  '110108': 'Network Entry',
  '110109': 'Order Record',
  '110110': 'Patient Record',
  '110111': 'Procedure Record',
  '110112': 'Query',
  '110113': 'Security Alert',
  '110114': 'User Authentication',
};

/**
 * Event Type Codes refining an Event ID (PS3.16 CID 401 Security Alert, CID 402 User
 * Authentication, CID 403 Network Entry); kept in the event's details as `eventType`.
 */
export const AuditEventType = {
  NodeAuthentication: { code: '110126', name: 'Node Authentication' },
  NetworkConfiguration: { code: '110128', name: 'Network Configuration' },
  UseOfRestrictedFunction: { code: '110132', name: 'Use of Restricted Function' },
  UserSecurityAttributesChanged: { code: '110137', name: 'User Security Attributes Changed' },
  Login: { code: '110122', name: 'Login' },
  Logout: { code: '110123', name: 'Logout' },
  Attach: { code: '110124', name: 'Attach' },
  Detach: { code: '110125', name: 'Detach' },
} as const;

/** PS3.15 A.5.1 EventActionCode: Create, Read, Update, Delete, Execute. */
export type AuditActionCodeLetter = 'C' | 'R' | 'U' | 'D' | 'E';
export const ACTION_CODES: readonly AuditActionCodeLetter[] = ['C', 'R', 'U', 'D', 'E'];

/** PS3.15 A.5.1 EventOutcomeIndicator. */
export const AuditOutcome = {
  Success: 0,
  MinorFailure: 4,
  SeriousFailure: 8,
  MajorFailure: 12,
} as const;
export type AuditOutcomeValue = (typeof AuditOutcome)[keyof typeof AuditOutcome];
export const OUTCOMES: readonly number[] = [0, 4, 8, 12];

export type ActorType = 'user' | 'ae' | 'anonymous' | 'system';
