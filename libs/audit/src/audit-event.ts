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
  /**
   * PACS_NODE_ID of the node that recorded the event (the node the actor talked to), whichever
   * node sealed or forwarded it; null on events recorded before nodes were named (migration
   * AuditEventSource1765330000000).
   */
  source: string | null;
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
 * what gets stored. The id is assigned by the database on insert (0 until then). `source`: as
 * for stagedEvent.
 */
export function normalizeEvent(input: AuditEventInput, prevHash: string, source: string | null): AuditEvent & { prevHash: string; hash: string } {
  return linkedEvent(stagedEvent(input, source), prevHash);
}

/** The staged event linked to `prevHash`, with its hash. */
export function linkedEvent(staged: StagedEvent, prevHash: string): AuditEvent & { prevHash: string; hash: string } {
  const event = { id: 0, ...staged, prevHash };
  return { ...event, hash: chainHash(event) };
}

/**
 * Fills the defaults and the readable name, without linking the event to the chain. Every
 * event passes here (record, stageRead, the ingest's staged events), so this is where text from
 * the network is made storable: PostgreSQL text and jsonb cannot hold U+0000 or an unpaired
 * surrogate (GOTCHAS), and one such value would fail every event of its batch. Each is stored
 * as its visible escape (`\u0000`): the trail shows what was received, and the hash covers
 * exactly what is stored, so verify() recomputes it from the row. `source`: the recording
 * node's PACS_NODE_ID, which AuditRepository.staged fills for every event a node records.
 */
export function stagedEvent(input: AuditEventInput, source: string | null): StagedEvent {
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
    source,
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
 * come back from JSONB with its own key order). The source comes last and only when there is
 * one: events recorded before it existed (source null) keep the form they were hashed in, so
 * their chain still verifies, while a source cannot be changed, added or cleared unnoticed.
 */
export function canonicalEvent(e: Omit<AuditEvent, 'id' | 'hash' | 'prevHash'>): string {
  const fields = [
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
  ];
  return canonicalJson(e.source === null ? fields : [...fields, e.source]);
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
