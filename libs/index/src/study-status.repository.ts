import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * Study workflow state kept in the index: when a study became complete (MPPS COMPLETED and
 * every referenced instance stored). The MPPS module decides; QIDO-RS and C-FIND return and
 * match it as Study Status ID (0032,000A) = COMPLETED.
 */
@Injectable()
export class StudyStatusRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `null` when the study is (again) not complete. A study not indexed yet is left alone. */
  async setCompletedAt(studyUid: string, completedAt: Date | null): Promise<void> {
    await this.dataSource.query('UPDATE studies SET completed_at = $2 WHERE study_uid = $1', [studyUid, completedAt]);
  }
}
