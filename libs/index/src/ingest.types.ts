/** Who sent an instance, and what the sender's envelope said it is (checked against the dataset). */
export interface IngestSource {
  channel: 'dimse' | 'stow' | 'import';
  /** Calling AE title (DIMSE), username (STOW) or "cli" (import). */
  actor?: string;
  remoteAddress?: string;
  /** Affected SOP Class / Instance UID of the C-STORE command. */
  expectedSopClassUid?: string;
  expectedSopInstanceUid?: string;
  /** Study of a STOW-RS POST /studies/{study}. */
  expectedStudyUid?: string;
}

export type IngestResult = 'stored' | 'overwritten' | 'kept-existing';

export interface IngestOutcome {
  result: IngestResult;
  sopClassUid: string;
  sopInstanceUid: string;
  studyUid: string;
  seriesUid: string;
  transferSyntaxUid: string;
  /** Patient ID (0010,0020) of the instance, for the audit trail (never logged). */
  patientId?: string;
  /** True when the commit companion's payload (the audit event) committed with the index row. */
  coCommitted?: boolean;
}

/** An instance that has just been stored (durable and indexed). */
export interface InstanceStoredEvent {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
}
export type InstanceStoredListener = (event: InstanceStoredEvent) => void;

/**
 * An audit event staged in the transaction of an index change, as audit_stage stores it
 * (libs/audit/sql/audit_stage.sql): complete but not yet hashed into the chain.
 */
export interface StagedAuditEvent {
  time: string;
  actor: string;
  actorType: string;
  sourceAddress: string | null;
  action: string;
  actionName: string;
  actionCode: string;
  outcome: number;
  patientId: string | null;
  studyUids: string[];
  details: Record<string, unknown>;
}

/**
 * The audit trail's part in the ingest: each event commits in the same statement as the
 * index row it records, so both are one transaction at no extra commit (issue 4: no
 * acknowledged instance without its event, and no extra fsync per instance).
 */
export interface IngestCommitCompanion {
  /** The event of this stored instance, or undefined to add nothing this time. */
  payload(instance: IngestOutcome, source: IngestSource): StagedAuditEvent | undefined;
  /** Called after an index change committed with an event (e.g. to schedule its sealing). */
  committed(): void;
}

/** The Nest token under which a (global) module provides the IngestCommitCompanion. */
export const INGEST_COMMIT_COMPANION = Symbol('INGEST_COMMIT_COMPANION');

