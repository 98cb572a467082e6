/** Who sent an instance, and what the sender's envelope said it is (checked against the dataset). */
export interface IngestSource {
  channel: 'dimse' | 'stow' | 'import' | 'correction' | 'deidentify';
  /** Calling AE title (DIMSE), username (STOW, correction, de-identified copy) or "cli" (import). */
  actor?: string;
  remoteAddress?: string;
  /** Affected SOP Class / Instance UID of the C-STORE command. */
  expectedSopClassUid?: string;
  expectedSopInstanceUid?: string;
  /** Study of a STOW-RS POST /studies/{study}. */
  expectedStudyUid?: string;
  /**
   * Set when a stored instance is rewritten (a correction, or a coercion on receipt): the blob
   * key of the version rewritten. It replaces that version whatever PACS_DUPLICATE_POLICY says,
   * and records no store event of its own; if another version was stored meanwhile, nothing
   * is written (IngestError storage-failure) so that the caller rewrites that one.
   */
  replaces?: string;
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
  /** Modality (0008,0060) and Study Description (0008,1030), for forwarding rules. */
  modality?: string | null;
  studyDescription?: string | null;
  /** True when the commit companion's payload (the audit event) committed with the index row. */
  coCommitted?: boolean;
  /** Attributes were coerced to a correction's values (PS3.4 B.2.3: C-STORE Warning B000). */
  coerced?: boolean;
}

/** An instance that has just been stored (durable and indexed). */
export interface InstanceStoredEvent {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
}
export type InstanceStoredListener = (event: InstanceStoredEvent) => void;

/** Statements run inside the transaction that commits a batch of instances' index rows. */
export interface IndexTransaction {
  query(text: string, values: unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * Work that must commit together with instances' index rows, in their transaction. The audit
 * trail stages each store event this way: no acknowledged instance without its event, and no
 * extra commit per instance.
 */
export interface IngestCommitCompanion<P = unknown> {
  /** What to write for this instance, or undefined to add nothing this time. */
  payload(instance: IngestOutcome, source: IngestSource): P | undefined;
  /** Writes a batch's payloads in the index transaction; they commit or roll back with its rows. */
  write(tx: IndexTransaction, payloads: P[]): Promise<void>;
  /** Called after the commit that carried this instance's payload (e.g. to schedule follow-up work). */
  committed(payload: P): void;
}

/** The Nest token under which a (global) module provides the IngestCommitCompanion. */
export const INGEST_COMMIT_COMPANION = Symbol('INGEST_COMMIT_COMPANION');
