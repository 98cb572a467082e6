import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DicomJson } from '@pacs/dicom';
import { StudyEntity } from './study.entity';

@Entity('series')
export class SeriesEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'series_uid', type: 'text' })
  seriesUid: string;

  @ManyToOne(() => StudyEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'study_pk' })
  study: StudyEntity;

  @Column({ type: 'text', nullable: true })
  modality: string | null;

  @Column({ name: 'series_number', type: 'int', nullable: true })
  seriesNumber: number | null;

  @Column({ name: 'num_instances', type: 'int' })
  numInstances: number;

  @Column({ type: 'jsonb' })
  attributes: DicomJson;
}
