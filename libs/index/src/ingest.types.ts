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
 * Work that must commit together with an instance's index row, at no extra commit: its SQL
 * function (one jsonb argument) is called in the same statement as pacs_index_instance, so both
 * are one transaction. The audit trail registers one to stage each store event (issue 4: no
 * acknowledged instance without its event, and no extra fsync per instance).
 */
export interface IngestCommitCompanion {
  /** A SQL function name taking one jsonb argument, e.g. 'audit_stage'. */
  readonly sqlFunction: string;
  /** The argument for this instance, or undefined to add nothing this time. */
  payload(instance: IngestOutcome, source: IngestSource): object | undefined;
  /** Called after the statement committed with a payload (e.g. to schedule follow-up work). */
  committed(): void;
  /**
   * The argument for the same function when start-up recovery removes an instance whose blob
   * did not survive an unclean stop (IngestRecovery), committed with the removal.
   */
  removalPayload?(removal: RecoveredRemoval): object | undefined;
}

/** An index row removed at start-up because its blob was missing or incomplete. */
export interface RecoveredRemoval {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  patientId: string;
  blob: 'missing' | 'different';
}

/** The Nest token under which a (global) module provides the IngestCommitCompanion. */
export const INGEST_COMMIT_COMPANION = Symbol('INGEST_COMMIT_COMPANION');
