import type { IngestOutcome, IngestSource } from '@pacs/index';
import { AuditAction, AuditOutcome } from './audit-codes';
import type { AuditEventInput } from './audit-event';

/** Who stored, through which channel (the ingest's own source). */
export type StoreSource = Pick<IngestSource, 'channel' | 'actor' | 'remoteAddress'>;

/** What was stored: the studies, and how the channel describes it. */
export interface StoredInstances {
  studyUids: readonly string[];
  patientId?: string;
  /** PS3.15 A.5.1 EventOutcomeIndicator; a partial STOW-RS is a minor failure. */
  outcome?: number;
  details: Record<string, unknown>;
}

/**
 * The one event of instances stored, whatever the channel: DICOM Instances Transferred, Create
 * (PS3.15 A.5.3, Event ID 110104) for a C-STORE (per instance, the calling AE as actor) and a
 * STOW-RS (per request, the user); Import (110107) for `pacs import` (per instance, the
 * archive itself). Staged in the index commit by StoreAuditCompanion, recorded directly when
 * no index row was written (a kept duplicate), and built by the HTTP hook for STOW-RS.
 */
export function instancesStoredEvent(source: StoreSource, stored: StoredInstances): AuditEventInput {
  return {
    ...actorOf(source),
    action: source.channel === 'import' ? AuditAction.Import : AuditAction.InstancesTransferred,
    actionCode: 'C',
    outcome: stored.outcome ?? AuditOutcome.Success,
    patientId: stored.patientId,
    studyUids: stored.studyUids,
    details: stored.details,
  };
}

/** One instance as ingest reports it (C-STORE, import), in the event of its channel. */
export function instanceStoredEvent(source: StoreSource, instance: IngestOutcome): AuditEventInput {
  const { studyUid, patientId, coCommitted: _co, ...rest } = instance;
  const details = source.channel === 'import' ? { sopInstanceUid: instance.sopInstanceUid, result: instance.result } : { service: 'store', ...rest };
  return instancesStoredEvent(source, { studyUids: [studyUid], patientId, details });
}

/** The actor of an event about what a channel sent (also the sender of an IOCM Rejection Note). */
export function actorOf(source: StoreSource): Pick<AuditEventInput, 'actor' | 'actorType' | 'sourceAddress'> {
  switch (source.channel) {
    case 'dimse':
      return { actor: source.actor ?? '', actorType: 'ae', sourceAddress: source.remoteAddress ?? null };
    case 'stow':
    case 'correction':
    case 'deidentify':
      return { actor: source.actor ?? '', actorType: source.actor ? 'user' : 'anonymous', sourceAddress: source.remoteAddress ?? null };
    case 'import':
      return { actor: source.actor ?? 'cli', actorType: 'system' };
  }
}
