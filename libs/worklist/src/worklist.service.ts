import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@pacs/errors';
import { PatientDto, WorklistItemDto } from './dto/worklist-item.dto';
import { WorklistQueryDto } from './dto/worklist-query.dto';
import { WorklistItemView, WorklistPage } from './dto/worklist-view.dto';
import { WorklistStatus } from './worklist-item.entity';
import { fromDto, itemStatusOf, toView } from './worklist-mapping';
import { PatientMatch, StoredItem, WorklistRepository } from './worklist.repository';

/** What happened to a worklist item (logged; audited by the controller). */
type WorklistAction = 'created' | 'updated' | 'cancelled' | 'status-changed';

const DEFAULT_LIMIT = 50;

/** Worklist items for the RIS (REST) and the MPPS module (status follows the procedure step). */
@Injectable()
export class WorklistService {
  private readonly log = new Logger('Worklist');

  constructor(private readonly repo: WorklistRepository) {}

  async create(dto: WorklistItemDto, actor: string): Promise<WorklistItemView> {
    checkStepIds(dto);
    const { fields, steps } = fromDto(dto, 'SCHEDULED');
    const stored = conflictOr(await this.repo.insert(fields, steps), dto);
    return this.changed('created', stored, actor);
  }

  async get(id: string): Promise<WorklistItemView> {
    return toView(await this.require(id));
  }

  async list(query: WorklistQueryDto): Promise<WorklistPage> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const offset = query.offset ?? 0;
    const { items, total } = await this.repo.list(query, limit, offset);
    return { items: items.map(toView), total, limit, offset };
  }

  /** Replaces a SCHEDULED item; once a modality has started it, the RIS may no longer rewrite it. */
  async replace(id: string, dto: WorklistItemDto, actor: string): Promise<WorklistItemView> {
    checkStepIds(dto);
    const existing = await this.require(id);
    if (existing.item.status !== 'SCHEDULED') {
      throw new DomainError('worklist-conflict', `item ${id} is ${existing.item.status}; only SCHEDULED items can be changed`);
    }
    const { fields, steps } = fromDto({ ...dto, studyInstanceUid: dto.studyInstanceUid ?? existing.item.studyUid }, 'SCHEDULED');
    const stored = conflictOr(await this.repo.replace(id, fields, steps), dto);
    if (!stored) throw new DomainError('worklist-item-not-found', `no worklist item ${id}`);
    return this.changed('updated', stored, actor);
  }

  /** Cancels a SCHEDULED item: it is no longer offered over MWL (PS3.4 K). */
  async cancel(id: string, actor: string): Promise<WorklistItemView> {
    const existing = await this.require(id);
    if (existing.item.status === 'CANCELLED') return toView(existing);
    if (existing.item.status !== 'SCHEDULED') {
      throw new DomainError('worklist-conflict', `item ${id} is ${existing.item.status}; only SCHEDULED items can be cancelled`);
    }
    await this.repo.setStepStatus(id, 'CANCELLED', existing.steps.map((s) => s.id), 'CANCELLED');
    return this.changed('cancelled', await this.require(id), actor);
  }

  /** The item of a RIS order (HL7 ORM/OMI name its Accession Number and Requested Procedure ID), cancelled ones included. */
  async findByOrder(accessionNumber: string, requestedProcedureId: string): Promise<WorklistItemView | null> {
    const stored = await this.repo.findByAccessionAndProcedure(accessionNumber, requestedProcedureId);
    return stored && toView(stored);
  }

  /**
   * A patient correction or merge from the RIS (HL7 ADT A08, A40): every item of `match`,
   * whatever its status (the demographics are facts, not part of the schedule), takes the
   * patient's ID, issuer, name and, when given, birth date and sex.
   */
  async correctPatient(match: PatientMatch, patient: PatientDto, actor: string): Promise<WorklistItemView[]> {
    const ids = await this.repo.correctPatient(
      { id: match.id, issuer: match.issuer ?? '' },
      { id: patient.id, issuer: patient.issuer ?? '', name: patient.name, birthDate: patient.birthDate ?? null, sex: patient.sex ?? null },
    );
    const views: WorklistItemView[] = [];
    for (const id of ids) views.push(this.changed('updated', await this.require(id), actor));
    return views;
  }

  /**
   * The item a Performed Procedure Step performs, from its Scheduled Step Attributes (PS3.4
   * F.7.2.1): the item holding that Scheduled Procedure Step ID under that Accession Number,
   * else the item of that Study Instance UID. The step ID with the accession comes first: both
   * are copied from the worklist entry, while a modality may make its own study UID. A
   * CANCELLED item is never matched: its exam is left for the admin to reconcile.
   */
  async findForProcedureStep(ids: { studyUid: string; accessionNumber?: string; scheduledStepId?: string }): Promise<WorklistItemView | null> {
    const byStep = ids.accessionNumber && ids.scheduledStepId ? await this.repo.findOpenByAccessionAndStep(ids.accessionNumber, ids.scheduledStepId) : null;
    const stored = byStep ?? (await this.repo.findByStudyUid(ids.studyUid));
    return stored && stored.item.status !== 'CANCELLED' ? toView(stored) : null;
  }

  /**
   * A Performed Procedure Step moved (PS3.4 F.7.2): its Scheduled Procedure Step (or every step
   * of the item, when the MPPS names none of them) takes the status, and the item follows its
   * steps. A finished step (COMPLETED, DISCONTINUED) or a cancelled one is final and never moves back.
   */
  async procedureStepStatus(itemId: string, stepId: string | undefined, status: WorklistStatus, actor: string): Promise<void> {
    const existing = await this.require(itemId);
    const open = (s: WorklistStatus) => s === 'SCHEDULED' || s === 'IN PROGRESS';
    const named = existing.steps.some((s) => s.stepId === stepId);
    const targets = existing.steps.filter((s) => (!named || s.stepId === stepId) && open(s.status));
    if (targets.length === 0) return;
    const statuses = existing.steps.map((s) => (targets.includes(s) ? status : s.status));
    await this.repo.setStepStatus(itemId, itemStatusOf(statuses), targets.map((s) => s.id), status);
    this.changed('status-changed', await this.require(itemId), actor);
  }

  private async require(id: string): Promise<StoredItem> {
    const stored = await this.repo.findById(id);
    if (!stored) throw new DomainError('worklist-item-not-found', `no worklist item ${id}`);
    return stored;
  }

  /** The single place every committed change passes through. */
  private changed(action: WorklistAction, stored: StoredItem, actor: string): WorklistItemView {
    const view = toView(stored);
    this.log.log({ action, itemId: view.id, studyUid: view.studyInstanceUid, status: view.status, actor }, 'worklist item changed');
    return view;
  }
}

function checkStepIds(dto: WorklistItemDto): void {
  const ids = dto.scheduledSteps.map((s) => s.id);
  if (new Set(ids).size !== ids.length) throw new DomainError('invalid-worklist-item', 'scheduledSteps ids must be unique within an item');
}

function conflictOr<T>(result: T | { conflict: string }, dto: WorklistItemDto): T {
  if (result && typeof result === 'object' && 'conflict' in result) {
    const what = /study_uid/.test(result.conflict)
      ? `Study Instance UID ${dto.studyInstanceUid} is already scheduled`
      : `accession number ${dto.accessionNumber} already exists for issuer '${dto.accessionIssuer ?? ''}'`;
    throw new DomainError('worklist-conflict', what);
  }
  return result as T;
}
