import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A coded entry (PS3.3 8.8, Code Sequence Macro): value, coding scheme and meaning. */
export interface CodedEntry {
  value: string;
  scheme: string;
  meaning: string;
}

/** The statuses a worklist item and each of its steps go through (PS3.3 C.4.10, F.7 for MPPS). */
export const WORKLIST_STATUSES = ['SCHEDULED', 'IN PROGRESS', 'COMPLETED', 'DISCONTINUED', 'CANCELLED'] as const;
export type WorklistStatus = (typeof WORKLIST_STATUSES)[number];

/** A requested procedure scheduled by the RIS (table `worklist_items`, Workflow migration). */
@Entity('worklist_items')
export class WorklistItemEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  status: WorklistStatus;

  @Column({ name: 'patient_name', type: 'text' })
  patientName: string;

  @Column({ name: 'patient_id', type: 'text' })
  patientId: string;

  @Column({ name: 'patient_issuer', type: 'text', default: '' })
  patientIssuer: string;

  @Column({ name: 'birth_date', type: 'text', nullable: true })
  birthDate: string | null;

  @Column({ type: 'text', nullable: true })
  sex: string | null;

  @Column({ name: 'accession_number', type: 'text' })
  accessionNumber: string;

  @Column({ name: 'accession_issuer', type: 'text', default: '' })
  accessionIssuer: string;

  @Column({ name: 'requested_procedure_id', type: 'text' })
  requestedProcedureId: string;

  @Column({ name: 'requested_procedure_description', type: 'text', nullable: true })
  requestedProcedureDescription: string | null;

  @Column({ name: 'requested_procedure_code', type: 'jsonb', nullable: true })
  requestedProcedureCode: CodedEntry | null;

  @Column({ name: 'referring_physician', type: 'text', nullable: true })
  referringPhysician: string | null;

  @Column({ name: 'study_uid', type: 'text', unique: true })
  studyUid: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** One Scheduled Procedure Step of an item (table `worklist_steps`): the unit MWL answers with. */
@Entity('worklist_steps')
export class WorklistStepEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'item_id', type: 'bigint' })
  itemId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ name: 'step_id', type: 'text' })
  stepId: string;

  @Column({ type: 'text' })
  status: WorklistStatus;

  @Column({ type: 'text' })
  modality: string;

  @Column({ name: 'station_ae', type: 'text' })
  stationAe: string;

  @Column({ name: 'station_name', type: 'text', nullable: true })
  stationName: string | null;

  @Column({ name: 'start_date', type: 'text' })
  startDate: string;

  @Column({ name: 'start_time', type: 'text' })
  startTime: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'performing_physician', type: 'text', nullable: true })
  performingPhysician: string | null;

  @Column({ name: 'protocol_codes', type: 'jsonb', default: () => "'[]'" })
  protocolCodes: CodedEntry[];
}
