import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A row of the audit trail (migration AuditEvents1764200000000). Written only through
 * AuditRepository.append, which draws ids and hashes under the chain lock; never saved directly.
 */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz' })
  time: Date;

  @Column({ type: 'text' })
  actor: string;

  @Column({ name: 'actor_type', type: 'text' })
  actorType: string;

  @Column({ name: 'source_address', type: 'text', nullable: true })
  sourceAddress: string | null;

  /** Event ID, PS3.15 A.5 / PS3.16 CID 400 (e.g. 110104). */
  @Column({ type: 'text' })
  action: string;

  @Column({ name: 'action_name', type: 'text' })
  actionName: string;

  /** EventActionCode C, R, U, D or E (PS3.15 A.5.1). */
  @Column({ name: 'action_code', type: 'char', length: 1 })
  actionCode: string;

  /** EventOutcomeIndicator 0, 4, 8 or 12 (PS3.15 A.5.1). */
  @Column({ type: 'smallint' })
  outcome: number;

  @Column({ name: 'patient_id', type: 'text', nullable: true })
  patientId: string | null;

  @Column({ name: 'study_uids', type: 'text', array: true })
  studyUids: string[];

  @Column({ type: 'jsonb' })
  details: Record<string, unknown>;

  /** PACS_NODE_ID of the recording node; null on rows from before migration AuditEventSource1765330000000. */
  @Column({ type: 'text', nullable: true })
  source: string | null;

  /** Null while staged (not yet sealed into the chain, see AuditSealer). */
  @Column({ name: 'prev_hash', type: 'char', length: 64, nullable: true })
  prevHash: string | null;

  @Column({ type: 'char', length: 64, nullable: true })
  hash: string | null;

  /** Position in the hash chain, assigned when sealed; null while staged. */
  @Column({ name: 'seal_seq', type: 'bigint', nullable: true })
  sealSeq: string | null;
}
