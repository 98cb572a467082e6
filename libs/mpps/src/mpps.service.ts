import { Injectable, Logger } from '@nestjs/common';
import { DicomAttributes, DimseCaller, DimseFailure } from '@pacs/dimse';
import { DimseStatus } from '@pacs/errors';
import { WorklistService } from '@pacs/worklist';
import { applySet, scheduledStep, validateCreate } from './mpps-rules';
import { MppsRepository } from './mpps.repository';
import { ProcedureStepEntity } from './procedure-step.entity';
import { StudyCompletenessService } from './study-completeness.service';

/** The MPPS SCP's logic (PS3.4 F.7): N-CREATE and N-SET move a step; its worklist item follows. */
@Injectable()
export class MppsService {
  private readonly log = new Logger('MPPS');

  constructor(
    private readonly repo: MppsRepository,
    private readonly worklist: WorklistService,
    private readonly completeness: StudyCompletenessService,
  ) {}

  /**
   * N-CREATE (PS3.4 F.7.2.1): throws DimseFailure with the status the SCU must receive. Every
   * valid step is kept, linked to its worklist item when one matches; an unscheduled or
   * mismatched one (IHE Scheduled Workflow) stays unlinked for the admin to reconcile.
   */
  async create(sopInstanceUid: string, attributes: DicomAttributes, caller: DimseCaller): Promise<void> {
    const step = validateCreate(attributes);
    const item = await this.worklist.findForProcedureStep(step);
    const inserted = await this.repo.insert({
      sopInstanceUid,
      status: step.status,
      studyUid: step.studyUid,
      worklistItemId: item?.id ?? null,
      scheduledStepId: step.scheduledStepId ?? null,
      performedStationAe: step.performedStationAe,
      callingAe: caller.callingAe,
      referencedSopUids: step.referencedSopUids,
      attributes: step.attributes,
    });
    if (!inserted) throw new DimseFailure(DimseStatus.DuplicateSopInstance, `procedure step ${sopInstanceUid} already exists`);
    await this.changed('created', (await this.repo.find(sopInstanceUid))!, caller);
  }

  /**
   * N-SET (PS3.4 F.7.2.2). A step still unlinked is looked up again: the PACS may receive the
   * worklist item after the modality started the exam, and the item should then follow it.
   */
  async set(sopInstanceUid: string, modifications: DicomAttributes, caller: DimseCaller): Promise<void> {
    const current = await this.repo.find(sopInstanceUid);
    if (!current) throw new DimseFailure(DimseStatus.NoSuchObjectInstance, `no procedure step ${sopInstanceUid}`);
    const next = applySet(current, modifications);
    const worklistItemId = current.worklistItemId ?? (await this.worklist.findForProcedureStep(scheduledStep(current.attributes)))?.id ?? null;
    if (!(await this.repo.updateInProgress(sopInstanceUid, { ...next, worklistItemId }))) {
      throw new DimseFailure(DimseStatus.ProcedureStepNoLongerUpdatable, 'procedure step was finished meanwhile');
    }
    await this.changed('updated', (await this.repo.find(sopInstanceUid))!, caller);
  }

  /** The single place every committed change passes through: worklist, then completeness. */
  private async changed(action: 'created' | 'updated', step: ProcedureStepEntity, caller: DimseCaller): Promise<void> {
    this.log.log({ action, sopInstanceUid: step.sopInstanceUid, status: step.status, studyUid: step.studyUid, worklistItemId: step.worklistItemId, callingAe: caller.callingAe }, 'procedure step changed');
    if (step.worklistItemId) {
      await this.worklist
        .procedureStepStatus(String(step.worklistItemId), step.scheduledStepId ?? undefined, step.status as 'IN PROGRESS', caller.callingAe)
        .catch((err) => this.log.error({ sopInstanceUid: step.sopInstanceUid, err: (err as Error).message }, 'worklist status not updated'));
    }
    if (step.studyUid && step.status !== 'IN PROGRESS') await this.completeness.studyChanged(step.studyUid);
  }
}
