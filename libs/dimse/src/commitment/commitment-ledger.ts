import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { PendingCommitmentView } from './dto/pending-commitment.dto';
import type { CommitmentRequest } from './storage-commitment';
import { StorageCommitmentEntity } from './storage-commitment.entity';

/** An accepted Storage Commitment request whose result is still to be delivered. */
export interface PendingCommitment extends CommitmentRequest {
  id: string;
  callingAe: string;
  requestedAt: Date;
  /** Deliveries tried so far, the one about to be made included. */
  attempts: number;
}

/**
 * All database calls for pending Storage Commitment results. An attempt holds a row by pushing
 * its next_attempt_at past the attempt's own duration (a lease), so two nodes, or a retry and
 * the first delivery, never send the same result at once.
 */
@Injectable()
export class CommitmentLedger {
  constructor(@InjectRepository(StorageCommitmentEntity) private readonly rows: Repository<StorageCommitmentEntity>) {}

  /** Records an accepted request, held by its first attempt for `leaseMs`. */
  async add(request: CommitmentRequest, callingAe: string, leaseMs: number): Promise<PendingCommitment> {
    const [row] = (await this.rows.query(
      `INSERT INTO storage_commitments (transaction_uid, calling_ae, instance_refs, attempts, next_attempt_at)
       VALUES ($1, $2, $3, 1, now() + $4 * interval '1 millisecond') RETURNING id, requested_at`,
      [request.transactionUid, callingAe, JSON.stringify(request.references), leaseMs],
    )) as { id: string; requested_at: Date }[];
    return { ...request, id: row.id, callingAe, requestedAt: row.requested_at, attempts: 1 };
  }

  /** Takes up to `limit` due results for another attempt, each held for `leaseMs`. */
  async claimDue(limit: number, leaseMs: number): Promise<PendingCommitment[]> {
    const rows = (await this.rows.query(
      `UPDATE storage_commitments SET attempts = attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
       WHERE id IN (SELECT id FROM storage_commitments WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, transaction_uid, calling_ae, instance_refs, requested_at, attempts`,
      [limit, leaseMs],
    )) as [{ id: string; transaction_uid: string; calling_ae: string; instance_refs: CommitmentRequest['references']; requested_at: Date; attempts: number }[], number];
    return rows[0].map((r) => ({
      id: r.id,
      transactionUid: r.transaction_uid,
      callingAe: r.calling_ae,
      references: r.instance_refs,
      requestedAt: r.requested_at,
      attempts: r.attempts,
    }));
  }

  /** What is still to be delivered, oldest request first (at most `limit`). */
  async listPending(limit = 1000): Promise<PendingCommitmentView[]> {
    const rows = await this.rows.find({ order: { requestedAt: 'ASC', id: 'ASC' }, take: limit });
    return rows.map((r) => ({
      transactionUid: r.transactionUid,
      callingAe: r.callingAe,
      instances: r.references.length,
      requestedAt: r.requestedAt.toISOString(),
      attempts: r.attempts,
      nextAttemptAt: r.nextAttemptAt.toISOString(),
      lastError: r.lastError,
    }));
  }

  /** Delivered, or given up: the row goes. */
  async remove(id: string): Promise<void> {
    await this.rows.delete({ id });
  }

  async retryAt(id: string, at: Date, error: string): Promise<void> {
    await this.rows.update({ id }, { nextAttemptAt: at, lastError: error });
  }
}
