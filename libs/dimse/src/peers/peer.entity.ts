import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { DeidProfileSetting } from '@pacs/config';

/** A known DICOM peer (table `peers`, InitialSchema migration): who may associate, and where to send. */
@Entity('peers')
export class PeerEntity {
  // bigserial: the pg driver returns bigint as a string.
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'ae_title', type: 'text', unique: true })
  aeTitle: string;

  @Column({ type: 'text' })
  host: string;

  @Column({ type: 'integer' })
  port: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  services: string[];

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Associations from this AE title only from `host`, whatever PACS_DIMSE_CHECK_HOST says. */
  @Column({ name: 'check_host', type: 'boolean', default: false })
  checkHost: boolean;

  /** Associations a C-MOVE to this peer opens at once (1-8). */
  @Column({ name: 'move_associations', type: 'integer', default: 1 })
  moveAssociations: number;

  /** Our associations to this peer go over TLS (PS3.15 B.1). */
  @Column({ type: 'boolean', default: false })
  tls: boolean;

  /** A C-MOVE to this peer sends de-identified copies (PS3.15 E.1); null: the stored instances. */
  @Column({ type: 'jsonb', nullable: true })
  deidentify: DeidProfileSetting | null;

  /** What this peer sends is de-identified before it is stored; null: stored as received. */
  @Column({ name: 'deidentify_on_receive', type: 'jsonb', nullable: true })
  deidentifyOnReceive: DeidProfileSetting | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
