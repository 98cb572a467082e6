import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DicomJson } from '@pacs/dicom';
import { PatientEntity } from './patient.entity';

@Entity('studies')
export class StudyEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'study_uid', type: 'text' })
  studyUid: string;

  @ManyToOne(() => PatientEntity)
  @JoinColumn({ name: 'patient_pk' })
  patient: PatientEntity;

  @Column({ name: 'study_date', type: 'text', nullable: true })
  studyDate: string | null;

  @Column({ name: 'accession_number', type: 'text', nullable: true })
  accessionNumber: string | null;

  @Column({ type: 'text', array: true })
  modalities: string[];

  @Column({ name: 'num_series', type: 'int' })
  numSeries: number;

  @Column({ name: 'num_instances', type: 'int' })
  numInstances: number;

  @Column({ type: 'jsonb' })
  attributes: DicomJson;
}
