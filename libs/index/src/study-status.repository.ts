import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { InstancesRepository } from './instances.repository';

/**
 * Study workflow state kept in the index: when a study became complete (MPPS COMPLETED and
 * every referenced instance stored). The MPPS module decides, asking here which instances are
 * stored; QIDO-RS and C-FIND return and match it as Study Status ID (0032,000A) = COMPLETED.
 */
@Injectable()
export class StudyStatusRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly instances: InstancesRepository,
  ) {}

  /** How many of these SOP Instance UIDs are stored. */
  countStored(sopInstanceUids: string[]): Promise<number> {
    return this.instances.countIndexed(sopInstanceUids);
  }

  /** `null` when the study is (again) not complete. A study not indexed yet is left alone. */
  async setCompletedAt(studyUid: string, completedAt: Date | null): Promise<void> {
    await this.dataSource.query('UPDATE studies SET completed_at = $2 WHERE study_uid = $1', [studyUid, completedAt]);
  }
}
