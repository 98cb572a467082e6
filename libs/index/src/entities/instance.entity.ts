import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DicomJson } from '@pacs/dicom';
import { SeriesEntity } from './series.entity';

@Entity('instances')
export class InstanceEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'sop_instance_uid', type: 'text' })
  sopInstanceUid: string;

  @ManyToOne(() => SeriesEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'series_pk' })
  series: SeriesEntity;

  @Column({ name: 'sop_class_uid', type: 'text' })
  sopClassUid: string;

  @Column({ name: 'instance_number', type: 'int', nullable: true })
  instanceNumber: number | null;

  @Column({ name: 'transfer_syntax_uid', type: 'text' })
  transferSyntaxUid: string;

  @Column({ name: 'blob_key', type: 'text' })
  blobKey: string;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes: string;

  @Column({ type: 'text' })
  sha256: string;

  @Column({ name: 'source_ae', type: 'text', nullable: true })
  sourceAe: string | null;

  @Column({ type: 'jsonb' })
  attributes: DicomJson;
}
