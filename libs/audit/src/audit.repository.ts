import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent, AuditEventInput, GENESIS_HASH, normalizeEvent } from './audit-event';

/** Arbitrary constant naming the audit chain's advisory lock (pg_advisory_xact_lock). */
const CHAIN_LOCK_KEY = 0x41554454; // 'AUDT'
const COLUMNS = 'id, time, actor, actor_type, source_address, action, action_name, action_code, outcome, patient_id, study_uids, details, prev_hash, hash';
const PER_ROW = 14;

export interface AuditFilter {
  from?: Date;
  to?: Date;
  actor?: string;
  patientId?: string;
  studyUid?: string;
  action?: string;
  outcome?: number;
  /** Only events with a greater id (keyset pagination). */
  afterId?: number;
}

/** All SQL of the audit trail. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Appends the events to the chain in one transaction: the advisory lock serializes appends
   * across processes and nodes, so the head read here stays the head until commit.
   */
  append(inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
      let prev = await this.headHash(m);
      const ids = await this.nextIds(m, inputs.length);
      const events = inputs.map((input, i) => {
        const event = normalizeEvent(input, ids[i], prev);
        prev = event.hash;
        return event;
      });
      await this.insert(m, events);
      return events;
    });
  }

  /** One page of events in id order matching the filter. */
  async find(filter: AuditFilter, limit: number): Promise<AuditEvent[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.afterId !== undefined) add('id > ?', filter.afterId);
    if (filter.from) add('time >= ?', filter.from);
    if (filter.to) add('time <= ?', filter.to);
    if (filter.actor !== undefined) add('actor = ?', filter.actor);
    if (filter.patientId !== undefined) add('patient_id = ?', filter.patientId);
    if (filter.studyUid !== undefined) add('? = ANY(study_uids)', filter.studyUid);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
    params.push(limit);
    const sql = `SELECT ${COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`;
    return (await this.dataSource.query(sql, params)).map(toEvent);
  }

  /** Every matching event in id order, fetched a page at a time (never the whole trail in memory). */
  async *stream(filter: AuditFilter, pageSize = 1000): AsyncGenerator<AuditEvent> {
    let afterId = filter.afterId;
    for (;;) {
      const page = await this.find({ ...filter, afterId }, pageSize);
      yield* page;
      if (page.length < pageSize) return;
      afterId = page[page.length - 1].id;
    }
  }

  private async headHash(m: EntityManager): Promise<string> {
    const rows = await m.query('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1');
    return rows[0]?.hash ?? GENESIS_HASH;
  }

  /** Ids drawn under the lock, so they grow along the chain (a rolled-back batch only leaves a gap). */
  private async nextIds(m: EntityManager, n: number): Promise<number[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT nextval(pg_get_serial_sequence('audit_events', 'id')) AS id FROM generate_series(1, $1)`,
      [n],
    );
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  private async insert(m: EntityManager, events: AuditEvent[]): Promise<void> {
    const params: unknown[] = [];
    const rows = events.map((e, i) => {
      params.push(
        e.id, e.time, e.actor, e.actorType, e.sourceAddress, e.action, e.actionName, e.actionCode,
        e.outcome, e.patientId, e.studyUids, JSON.stringify(e.details), e.prevHash, e.hash,
      );
      const base = i * PER_ROW;
      return `(${Array.from({ length: PER_ROW }, (_, k) => `$${base + k + 1}`).join(', ')})`;
    });
    await m.query(`INSERT INTO audit_events (${COLUMNS}) VALUES ${rows.join(', ')}`, params);
  }
}

interface AuditRow {
  id: string;
  time: Date;
  actor: string;
  actor_type: AuditEvent['actorType'];
  source_address: string | null;
  action: string;
  action_name: string;
  action_code: AuditEvent['actionCode'];
  outcome: number;
  patient_id: string | null;
  study_uids: string[];
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

function toEvent(r: AuditRow): AuditEvent {
  return {
    id: Number(r.id),
    time: r.time.toISOString(),
    actor: r.actor,
    actorType: r.actor_type,
    sourceAddress: r.source_address,
    action: r.action,
    actionName: r.action_name,
    actionCode: r.action_code,
    outcome: Number(r.outcome),
    patientId: r.patient_id,
    studyUids: r.study_uids ?? [],
    details: r.details ?? {},
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
