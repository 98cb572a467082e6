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
}

/** An instance that has just been stored (durable and indexed). */
export interface InstanceStoredEvent {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
}
export type InstanceStoredListener = (event: InstanceStoredEvent) => void;
