import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, Not, QueryFailedError } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { ProcedureStepEntity, StudyCompletenessEntity } from './procedure-step.entity';

export type NewProcedureStep = Omit<ProcedureStepEntity, 'createdAt' | 'updatedAt' | 'imagesComplete'>;

const UNIQUE_VIOLATION = '23505';

/** All database calls for procedure steps and study completeness. */
@Injectable()
export class MppsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts the step; false when its SOP Instance UID exists (also when another node won a race). */
  async insert(step: NewProcedureStep): Promise<boolean> {
    try {
      await this.db.manager.insert(ProcedureStepEntity, step as QueryDeepPartialEntity<ProcedureStepEntity>);
      return true;
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION) return false;
      throw err;
    }
  }

  find(sopInstanceUid: string): Promise<ProcedureStepEntity | null> {
    return this.db.manager.findOneBy(ProcedureStepEntity, { sopInstanceUid });
  }

  /**
   * Writes an N-SET only if the step is still IN PROGRESS, so two concurrent N-SETs cannot both
   * finish it (PS3.4 F.7.2.2); false when it was finished meanwhile.
   */
  async updateInProgress(sopInstanceUid: string, fields: Pick<ProcedureStepEntity, 'status' | 'attributes' | 'referencedSopUids' | 'worklistItemId'>): Promise<boolean> {
    const result = await this.db.manager.update(ProcedureStepEntity, { sopInstanceUid, status: 'IN PROGRESS' }, fields as QueryDeepPartialEntity<ProcedureStepEntity>);
    return (result.affected ?? 0) > 0;
  }

  /** `linked`: whether the step is linked to a worklist item (false: the ones to reconcile). */
  list(filter: { status?: string; studyUid?: string; linked?: boolean }, limit: number, offset: number): Promise<[ProcedureStepEntity[], number]> {
    const where = {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.studyUid ? { studyUid: filter.studyUid } : {}),
      ...(filter.linked === undefined ? {} : { worklistItemId: filter.linked ? Not(IsNull()) : IsNull() }),
    };
    return this.db.manager.findAndCount(ProcedureStepEntity, { where, order: { createdAt: 'DESC' }, take: limit, skip: offset });
  }

  stepsOfStudy(studyUid: string): Promise<ProcedureStepEntity[]> {
    return this.db.manager.findBy(ProcedureStepEntity, { studyUid });
  }

  /** Studies with a COMPLETED step whose images are not all stored yet (cheap: partial index). */
  async studiesAwaitingImages(studyUid?: string): Promise<string[]> {
    const rows: { study_uid: string }[] = await this.db.query(
      `SELECT DISTINCT study_uid FROM procedure_steps WHERE status = 'COMPLETED' AND NOT images_complete AND study_uid IS NOT NULL${studyUid ? ' AND study_uid = $1' : ''}`,
      studyUid ? [studyUid] : [],
    );
    return rows.map((r) => r.study_uid);
  }

  async markImagesComplete(sopInstanceUid: string): Promise<void> {
    await this.db.manager.update(ProcedureStepEntity, { sopInstanceUid }, { imagesComplete: true });
  }

  completeness(studyUid: string): Promise<StudyCompletenessEntity | null> {
    return this.db.manager.findOneBy(StudyCompletenessEntity, { studyUid });
  }

  /**
   * Records the study's state; true when this call changed it. Two nodes judging one study at
   * once both write, and only the one whose write changed the row reports the change.
   */
  async saveCompleteness(studyUid: string, complete: boolean, completedAt: Date | null): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO study_completeness (study_uid, complete, completed_at) VALUES ($1, $2, $3)
       ON CONFLICT (study_uid) DO UPDATE SET complete = EXCLUDED.complete, completed_at = EXCLUDED.completed_at, updated_at = now()
       WHERE study_completeness.complete IS DISTINCT FROM EXCLUDED.complete
       RETURNING study_uid`,
      [studyUid, complete, completedAt],
    );
    return rows.length > 0;
  }
}
