import { createHash } from 'node:crypto';
import { storableValue } from '@pacs/database';
import { ActorType, AUDIT_ACTION_NAMES, AuditActionCodeLetter } from './audit-codes';

/** What a caller hands to AuditService.record(). */
export interface AuditEventInput {
  /** User name, calling AE title, or '' when unknown (an unauthenticated request). */
  actor: string;
  actorType: ActorType;
  sourceAddress?: string | null;
  /** Event ID (PS3.15 A.5, PS3.16 CID 400), e.g. AuditAction.InstancesTransferred. */
  action: string;
  actionCode: AuditActionCodeLetter;
  /** PS3.15 A.5.1 EventOutcomeIndicator: 0, 4, 8 or 12. */
  outcome: number;
  patientId?: string | null;
  studyUids?: readonly string[];
  details?: Record<string, unknown>;
  /** Defaults to now. */
  time?: Date;
}

/** One stored event, as the auditors' API returns it. */
export interface AuditEvent {
  id: number;
  time: string;
  actor: string;
  actorType: ActorType;
  sourceAddress: string | null;
  action: string;
  actionName: string;
  actionCode: AuditActionCodeLetter;
  outcome: number;
  patientId: string | null;
  studyUids: string[];
  details: Record<string, unknown>;
  /** Both null while the event is staged: durable, not yet sealed into the chain (AuditSealer). */
  prevHash: string | null;
  hash: string | null;
}

/** An event as audit_stage stores it: complete but unhashed. */
export type StagedEvent = Omit<AuditEvent, 'id' | 'prevHash' | 'hash'>;

/** The prev_hash of the first event of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Fills the defaults and the readable name and links the event to `prevHash`; the result is
 * what gets stored. The id is assigned by the database on insert (0 until then).
 */
export function normalizeEvent(input: AuditEventInput, prevHash: string): AuditEvent & { prevHash: string; hash: string } {
  const event = { id: 0, ...stagedEvent(input), prevHash };
  return { ...event, hash: chainHash(event) };
}

/**
 * Fills the defaults and the readable name, without linking the event to the chain. Every
 * event passes here (record, stageRead, the ingest's staged events), so this is where text from
 * the network is made storable: PostgreSQL text and jsonb cannot hold U+0000 or an unpaired
 * surrogate (GOTCHAS), and one such value would fail every event of its batch. Each is stored
 * as its visible escape (`\u0000`): the trail shows what was received, and the hash covers
 * exactly what is stored, so verify() recomputes it from the row.
 */
export function stagedEvent(input: AuditEventInput): StagedEvent {
  return storableValue({
    time: (input.time ?? new Date()).toISOString(),
    actor: input.actor ?? '',
    actorType: input.actorType,
    sourceAddress: input.sourceAddress ?? null,
    action: input.action,
    actionName: AUDIT_ACTION_NAMES[input.action] ?? input.action,
    actionCode: input.actionCode,
    outcome: input.outcome,
    patientId: input.patientId || null,
    studyUids: [...new Set(input.studyUids ?? [])],
    details: input.details ?? {},
  });
}

/**
 * SHA-256 over the previous hash and the canonical event. Changing a row breaks its own hash;
 * deleting, inserting or reordering rows breaks the next row's link (its prev_hash). The id is
 * left out: the database assigns it in the same statement that stores the hash.
 */
export function chainHash(event: Omit<AuditEvent, 'hash' | 'prevHash'> & { prevHash: string }): string {
  return createHash('sha256').update(event.prevHash).update('\n').update(canonicalEvent(event)).digest('hex');
}

/**
 * A stable text form: fields in a fixed order, object keys sorted at every depth (the details
 * come back from JSONB with its own key order).
 */
export function canonicalEvent(e: Omit<AuditEvent, 'id' | 'hash' | 'prevHash'>): string {
  return canonicalJson([
    e.time,
    e.actor,
    e.actorType,
    e.sourceAddress,
    e.action,
    e.actionName,
    e.actionCode,
    e.outcome,
    e.patientId,
    e.studyUids,
    e.details,
  ]);
}

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
