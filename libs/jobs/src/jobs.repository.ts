import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClaimedJob, JobRecord, JobState, JobTransaction, NewJob } from './job.types';

/** Announced in the transaction that queues jobs: idle nodes wake at its commit (LISTEN/NOTIFY). */
export const JOBS_CHANNEL = 'pacs_jobs';

/** A job is due: queued and its time has come, or running under a lease that expired (its node died). */
const due = (t: string) => `((${t}state IN ('created', 'retry') AND ${t}run_after <= now()) OR (${t}state = 'active' AND ${t}locked_until < now()))`;
/** Not ended: it still holds its place in its key's order. */
const pending = (t: string) => `${t}state IN ('created', 'retry', 'active')`;

const COLUMNS = `id::text AS id, type, state, payload, ordering_key, attempts, max_attempts, run_after, locked_by, locked_until,
  last_error, created_at, updated_at, ended_at`;

export interface JobFilter {
  state?: JobState;
  type?: string;
  limit: number;
  offset: number;
}

/** All SQL of the `jobs` table. */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts jobs through `tx` (the caller's transaction, or a statement of its own) and announces them at its commit. */
  async insert(tx: JobTransaction, jobs: NewJob[], defaultMaxAttempts: number): Promise<void> {
    if (jobs.length === 0) return;
    const rows = jobs.map((j) => ({
      type: j.type,
      payload: j.payload,
      ordering_key: j.orderingKey ?? null,
      delay: Math.max(0, j.delaySeconds ?? 0),
      max_attempts: j.maxAttempts ?? defaultMaxAttempts,
    }));
    await tx.query(
      `WITH added AS (
         INSERT INTO jobs (type, payload, ordering_key, run_after, max_attempts)
         SELECT r.type, r.payload, r.ordering_key, now() + make_interval(secs => r.delay), r.max_attempts
         FROM jsonb_to_recordset($1::jsonb) AS r(type text, payload jsonb, ordering_key text, delay double precision, max_attempts integer, ordinality integer)
         ORDER BY r.ordinality
         RETURNING 1)
       SELECT pg_notify('${JOBS_CHANNEL}', '') FROM (SELECT count(*) FROM added) AS n`,
      [JSON.stringify(rows.map((r, ordinality) => ({ ...r, ordinality })))],
    );
  }

  /** A statement of its own, for queuing outside another transaction. */
  standalone(): JobTransaction {
    return { query: (text, values) => this.dataSource.query(text, values) };
  }

  /**
   * Claims the next due job of `types` and, when it has an ordering key, the due jobs queued
   * after it under that key (up to `batchSize` in all), for `worker`, leased for `leaseMs`.
   * Only the first pending job of a key may be claimed, so a key's jobs run in order and never
   * on two nodes at once; FOR UPDATE SKIP LOCKED lets concurrent claimers pass each other.
   */
  claim(types: string[], batchSizeOf: (type: string) => number, worker: string, leaseMs: number): Promise<ClaimedJob[]> {
    return this.dataSource.transaction(async (m) => {
      // The first pending job of each key, from one pass over the ordering index (a per-row
      // check of earlier jobs cost 15 µs a row: 0.3 s a claim behind a 20,000-job backlog).
      const [head] = (await m.query(
        `WITH heads AS (
           SELECT DISTINCT ON (type, ordering_key) id FROM jobs
           WHERE type = ANY($1) AND ordering_key IS NOT NULL AND ${pending('')}
           ORDER BY type, ordering_key, id)
         SELECT j.id::text AS id, j.type, j.ordering_key FROM jobs j
         WHERE j.type = ANY($1) AND ${due('j.')} AND (j.ordering_key IS NULL OR j.id IN (SELECT id FROM heads))
         ORDER BY j.run_after, j.id LIMIT 1
         FOR UPDATE SKIP LOCKED`,
        [types],
      )) as { id: string; type: string; ordering_key: string | null }[];
      if (!head) return [];
      const ids = [head.id, ...(await this.followers(m, head, batchSizeOf(head.type) - 1))];
      // TypeORM answers an UPDATE with [rows, count].
      const [claimed] = (await m.query(
        `UPDATE jobs SET state = 'active', attempts = attempts + 1, locked_by = $2, locked_until = now() + make_interval(secs => $3::double precision / 1000),
           updated_at = now()
         WHERE id = ANY($1::bigint[])
         RETURNING id::text AS id, type, payload, ordering_key, attempts, max_attempts`,
        [ids, worker, leaseMs],
      )) as [Record<string, unknown>[], number];
      return claimed.map(toClaimed).sort((a, b) => compareIds(a.id, b.id));
    });
  }

  /** The jobs right after the head under its key, as long as each is due (order is never skipped). */
  private async followers(m: EntityManager, head: { id: string; type: string; ordering_key: string | null }, room: number): Promise<string[]> {
    if (head.ordering_key === null || room <= 0) return [];
    const rows = (await m.query(
      `SELECT id::text AS id, ${due('')} AS due FROM jobs
       WHERE type = $1 AND ordering_key = $2 AND id > $3 AND ${pending('')}
       ORDER BY jobs.id LIMIT $4`,
      [head.type, head.ordering_key, head.id, room],
    )) as { id: string; due: boolean }[];
    const stop = rows.findIndex((r) => !r.due);
    return (stop < 0 ? rows : rows.slice(0, stop)).map((r) => r.id);
  }

  /** Extends the lease of jobs `worker` still holds. */
  async renew(ids: string[], worker: string, leaseMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET locked_until = now() + make_interval(secs => $3::double precision / 1000)
       WHERE id = ANY($1::bigint[]) AND locked_by = $2 AND state = 'active'`,
      [ids, worker, leaseMs],
    );
  }

  /** Done; a job this worker no longer holds (lease lost, cancelled) is left as it is. */
  async complete(ids: string[], worker: string): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE jobs SET state = 'completed', locked_by = NULL, locked_until = NULL, last_error = NULL, ended_at = now(), updated_at = now()
       WHERE id = ANY($1::bigint[]) AND locked_by = $2 AND state = 'active'`,
      [ids, worker],
    );
  }

  /** Failed this attempt: again after `delayMs`, or failed for good when its attempts are spent. */
  async fail(id: string, worker: string, error: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'retry' END,
         ended_at = CASE WHEN attempts >= max_attempts THEN now() END,
         run_after = now() + make_interval(secs => $4::double precision / 1000),
         locked_by = NULL, locked_until = NULL, last_error = left($3, 2000), updated_at = now()
       WHERE id = $1 AND locked_by = $2 AND state = 'active'`,
      [id, worker, error, delayMs],
    );
  }

  async list(filter: JobFilter): Promise<{ jobs: JobRecord[]; total: number }> {
    const where = 'WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR type = $2)';
    const params = [filter.state ?? null, filter.type ?? null];
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM jobs ${where} ORDER BY jobs.id DESC LIMIT $3 OFFSET $4`, [
      ...params,
      filter.limit,
      filter.offset,
    ])) as Record<string, unknown>[];
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM jobs ${where}`, params)) as { total: number }[];
    return { jobs: rows.map(toRecord), total };
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id])) as Record<string, unknown>[];
    return row && toRecord(row);
  }

  /** Runs a failed, cancelled or waiting job again now, with all its attempts; undefined when it is running or completed (or unknown). */
  async retry(id: string): Promise<JobRecord | undefined> {
    const [[row]] = (await this.dataSource.query(
      `UPDATE jobs SET state = 'retry', attempts = 0, run_after = now(), ended_at = NULL, updated_at = now()
       WHERE id = $1 AND state IN ('created', 'retry', 'failed', 'cancelled')
       RETURNING ${COLUMNS}, pg_notify('${JOBS_CHANNEL}', '')`,
      [id],
    )) as [Record<string, unknown>[], number];
    return row && toRecord(row);
  }

  /** Cancels a job that has not ended (a running one's outcome is then ignored); deletes one that has. False when unknown. */
  async cancel(id: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `WITH cancelled AS (
         UPDATE jobs SET state = 'cancelled', locked_by = NULL, locked_until = NULL, ended_at = now(), updated_at = now()
         WHERE id = $1 AND state IN ('created', 'retry', 'active', 'failed') RETURNING id),
       deleted AS (DELETE FROM jobs WHERE id = $1 AND state IN ('completed', 'cancelled') RETURNING id)
       SELECT id FROM cancelled UNION ALL SELECT id FROM deleted`,
      [id],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Deletes completed and cancelled jobs that ended more than `hours` ago. */
  async prune(hours: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM jobs WHERE state IN ('completed', 'cancelled') AND ended_at < now() - make_interval(hours => $1)`, [hours]);
  }

  /** Jobs by type and state (the /metrics gauge). */
  async counts(): Promise<{ type: string; state: string; count: number }[]> {
    return (await this.dataSource.query('SELECT type, state, count(*)::int AS count FROM jobs GROUP BY type, state')) as { type: string; state: string; count: number }[];
  }
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function toClaimed(r: Record<string, unknown>): ClaimedJob {
  return {
    id: r.id as string,
    type: r.type as string,
    payload: r.payload as Record<string, unknown>,
    orderingKey: (r.ordering_key as string | null) ?? null,
    attempt: r.attempts as number,
    maxAttempts: r.max_attempts as number,
  };
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

function toRecord(r: Record<string, unknown>): JobRecord {
  return {
    id: r.id as string,
    type: r.type as string,
    state: r.state as JobState,
    payload: r.payload as Record<string, unknown>,
    orderingKey: (r.ordering_key as string | null) ?? null,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    runAfter: iso(r.run_after)!,
    lockedBy: (r.locked_by as string | null) ?? null,
    lockedUntil: iso(r.locked_until),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    endedAt: iso(r.ended_at),
  };
}
