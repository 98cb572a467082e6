import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A Storage Commitment request accepted and not yet answered (table `storage_commitments`,
 * StorageCommitments migration). Kept until its N-EVENT-REPORT is delivered or given up, so a
 * result survives a restart and any node can send it again.
 */
@Entity('storage_commitments')
export class StorageCommitmentEntity {
  // bigserial: the pg driver returns bigint as a string.
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'transaction_uid', type: 'text' })
  transactionUid: string;

  @Column({ name: 'calling_ae', type: 'text' })
  callingAe: string;

  @Column({ name: 'instance_refs', type: 'jsonb' })
  references: { sopClassUid: string; sopInstanceUid: string }[];

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  /** Deliveries tried so far, the one under way included. */
  @Column({ type: 'integer' })
  attempts: number;

  /** When the next attempt is due; while one is under way, when its lease runs out. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;
}
