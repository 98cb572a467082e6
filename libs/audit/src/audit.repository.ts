import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PacsConfig } from '@pacs/config';
import type { IndexTransaction } from '@pacs/index';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent, AuditEventInput, chainHash, GENESIS_HASH, linkedEvent, StagedEvent, stagedEvent } from './audit-event';

/** The audit chain's advisory lock (pg_advisory_xact_lock), 'AUDT'; the same key as in audit_append. */
const CHAIN_LOCK_KEY = 0x41554454;
const COLUMNS = 'id, time, actor, actor_type, source_address, action, action_name, action_code, outcome, patient_id, study_uids, details, source, prev_hash, hash';

export interface AuditFilter {
  from?: Date;
  to?: Date;
  actor?: string;
  patientId?: string;
  studyUid?: string;
  action?: string;
  outcome?: number;
  /** PACS_NODE_ID of the node that recorded the event. */
  source?: string;
  /** Only events with a greater id (keyset pagination). */
  afterId?: number;
}

/** All SQL of the audit trail. */
@Injectable()
export class AuditRepository {
  /** The head hash after this process's last append; undefined before the first one. */
  private head: string | undefined;
  /** This node's PACS_NODE_ID: the source of every event it records. */
  private readonly source: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: PacsConfig,
  ) {
    this.source = config.nodeId;
  }

  /**
   * The event as stored, recorded by this node. Every event this node writes passes here
   * (append, the staged reads, the ingest's commit companion); the sealer, on whichever node,
   * only links rows and keeps their source.
   */
  staged(input: AuditEventInput): StagedEvent {
    return stagedEvent(input, this.source);
  }

  /**
   * Appends the events to the chain, durably, in the order given. Fast path: one statement
   * (audit_append) on the head this process wrote last. If another process or node moved the
   * head meanwhile, the batch is rehashed inside a transaction that holds the chain lock, so
   * the second try cannot miss.
   */
  async append(inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    const staged = inputs.map((i) => this.staged(i));
    if (this.head !== undefined) {
      const events = chain(staged, this.head);
      const result = await this.callAppend(this.dataSource.manager, events);
      if (result.ids) return this.stored(events, result.ids);
    }
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
      const events = chain(staged, (await chainHead(m)).hash);
      const result = await this.callAppend(m, events);
      if (!result.ids) throw new Error('audit chain head moved while locked');
      return this.stored(events, result.ids);
    });
  }

  /**
   * Stores events unhashed (staged, as an ingest does with audit_stage), taking no chain lock, in
   * a transaction that commits without waiting for the WAL flush (set_config with is_local sets
   * synchronous_commit = off for this statement's transaction only); the sealer chains them. For
   * read events, which many concurrent viewer requests each wait for. Returns their ids.
   */
  async stageUnflushed(events: readonly StagedEvent[]): Promise<number[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT set_config('synchronous_commit', 'off', true), audit_stage(e) AS id FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, n) ORDER BY n`,
      [JSON.stringify(events)],
    );
    return rows.map((r) => Number(r.id));
  }

  /** Stages events (as stageUnflushed) in a transaction of the index: they commit with its rows. */
  async stageIn(tx: IndexTransaction, events: readonly StagedEvent[]): Promise<void> {
    await tx.query('SELECT count(audit_stage(e)) FROM jsonb_array_elements($1::jsonb) AS t(e)', [JSON.stringify(events)]);
  }

  /**
   * Seals up to `limit` staged events (audit_stage) into the chain, in id order, in one
   * transaction under the chain lock (so one sealer at a time, across nodes, and never
   * interleaved with an append). The hash is computed from the row as stored, exactly as
   * verify() recomputes it. Returns the events sealed, in chain order.
   */
  async sealStaged(limit: number): Promise<AuditEvent[]> {
    const sealed = await this.sealInTransaction(limit);
    // The new head, for append()'s fast path (a wrong guess only costs the locked retry).
    if (sealed.length > 0) this.head = sealed[sealed.length - 1].hash ?? undefined;
    return sealed;
  }

  private sealInTransaction(limit: number): Promise<AuditEvent[]> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
      const staged: AuditEvent[] = (await m.query(`SELECT ${COLUMNS} FROM audit_events WHERE seal_seq IS NULL ORDER BY id LIMIT $1`, [limit])).map(toEvent);
      if (staged.length === 0) return [];
      let { hash: prev, seq } = await chainHead(m);
      const ids: number[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      const seqs: number[] = [];
      for (const row of staged) {
        const hash = chainHash({ ...row, prevHash: prev });
        ids.push(row.id);
        prevs.push(prev);
        hashes.push(hash);
        seqs.push(++seq);
        row.prevHash = prev;
        row.hash = hash;
        prev = hash;
      }
      await m.query(
        `UPDATE audit_events a SET prev_hash = v.prev, hash = v.hash, seal_seq = v.seq
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS v(id, prev, hash, seq)
          WHERE a.id = v.id AND a.seal_seq IS NULL`,
        [ids, prevs, hashes, seqs],
      );
      return staged;
    });
  }

  /** How many events are staged (durable, not yet sealed into the chain). */
  async countStaged(): Promise<number> {
    const rows = await this.dataSource.query('SELECT count(*)::int AS n FROM audit_events WHERE seal_seq IS NULL');
    return rows[0].n;
  }

  /** The sealed events in chain order, a page at a time (for verification). */
  async *streamChain(pageSize = 1000): AsyncGenerator<AuditEvent> {
    let after = 0;
    for (;;) {
      const rows = await this.dataSource.query(
        `SELECT ${COLUMNS}, seal_seq FROM audit_events WHERE seal_seq > $1 ORDER BY seal_seq LIMIT $2`,
        [after, pageSize],
      );
      yield* rows.map(toEvent);
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1].seal_seq);
    }
  }

  private async callAppend(m: EntityManager, events: AuditEvent[]): Promise<{ ids?: string[]; head?: string }> {
    const payload = events.map(({ id: _id, ...e }) => e);
    const rows = await m.query('SELECT audit_append($1, $2::jsonb) AS r', [events[0].prevHash, JSON.stringify(payload)]);
    return rows[0].r;
  }

  private stored(events: AuditEvent[], ids: (string | number)[]): AuditEvent[] {
    events.forEach((e, i) => (e.id = Number(ids[i])));
    this.head = events[events.length - 1].hash ?? undefined;
    return events;
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
    if (filter.source !== undefined) add('source = ?', filter.source);
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

}

/** The chain's last sealed event: its hash and position (genesis on an empty chain). */
async function chainHead(m: EntityManager): Promise<{ hash: string; seq: number }> {
  const rows = await m.query('SELECT hash, seal_seq FROM audit_events WHERE seal_seq IS NOT NULL ORDER BY seal_seq DESC LIMIT 1');
  return rows[0] ? { hash: rows[0].hash, seq: Number(rows[0].seal_seq) } : { hash: GENESIS_HASH, seq: 0 };
}

/** Links the events one after another, the first to `head`. */
function chain(staged: readonly StagedEvent[], head: string): AuditEvent[] {
  let prev = head;
  return staged.map((e) => {
    const event = linkedEvent(e, prev);
    prev = event.hash;
    return event;
  });
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
  source: string | null;
  prev_hash: string | null;
  hash: string | null;
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
    source: r.source,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
