import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A Modality Performed Procedure Step (table `procedure_steps`, Workflow migration; PS3.4 F). */
@Entity('procedure_steps')
export class ProcedureStepEntity {
  @PrimaryColumn({ name: 'sop_instance_uid', type: 'text' })
  sopInstanceUid: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'study_uid', type: 'text', nullable: true })
  studyUid: string | null;

  @Column({ name: 'worklist_item_id', type: 'bigint', nullable: true })
  worklistItemId: string | null;

  @Column({ name: 'scheduled_step_id', type: 'text', nullable: true })
  scheduledStepId: string | null;

  @Column({ name: 'performed_station_ae', type: 'text', nullable: true })
  performedStationAe: string | null;

  @Column({ name: 'calling_ae', type: 'text', nullable: true })
  callingAe: string | null;

  @Column({ name: 'referenced_sop_uids', type: 'text', array: true, default: () => "'{}'" })
  referencedSopUids: string[];

  /** The data set as dcmjs naturalizes it, N-SETs merged in. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes: Record<string, unknown>;

  /** Every referenced instance is stored (set once the step is COMPLETED). */
  @Column({ name: 'images_complete', type: 'boolean', default: false })
  imagesComplete: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** Completeness of a study (table `study_completeness`): the state QIDO and REST report. */
@Entity('study_completeness')
export class StudyCompletenessEntity {
  @PrimaryColumn({ name: 'study_uid', type: 'text' })
  studyUid: string;

  @Column({ type: 'boolean', default: false })
  complete: boolean;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
