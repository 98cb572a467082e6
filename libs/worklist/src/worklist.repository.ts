import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import { WorklistItemEntity, WorklistStatus, WorklistStepEntity } from './worklist-item.entity';

export type ItemFields = Omit<WorklistItemEntity, 'id' | 'createdAt' | 'updatedAt'>;
export type StepFields = Omit<WorklistStepEntity, 'id' | 'itemId'>;

export interface StoredItem {
  item: WorklistItemEntity;
  steps: WorklistStepEntity[];
}

/** One Scheduled Procedure Step with its item: a single MWL C-FIND match (PS3.4 K.6.1.2). */
export interface StepMatch {
  item: WorklistItemEntity;
  step: WorklistStepEntity;
}

/** A patient as worklist items name it: Patient ID and its issuer ('' when unknown). */
export interface PatientMatch {
  id: string;
  issuer: string;
}

export interface PatientFields extends PatientMatch {
  name: string;
  birthDate: string | null;
  sex: string | null;
}

export interface ListFilter {
  dateFrom?: string;
  dateTo?: string;
  modality?: string;
  stationAeTitle?: string;
  status?: string;
  patientId?: string;
  accessionNumber?: string;
}

/** A parameterized condition on `i` (worklist_items) and `s` (worklist_steps). */
export interface SqlCondition {
  sql: string;
  params: unknown[];
}

const UNIQUE_VIOLATION = '23505';

/** All database calls for worklist items and their steps. */
@Injectable()
export class WorklistRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Inserts the item and its steps; 'conflict' names the unique key taken (accession, study UID). */
  async insert(fields: ItemFields, steps: StepFields[]): Promise<StoredItem | { conflict: string }> {
    return this.unique(() =>
      this.db.transaction(async (em) => {
        const item = await em.save(em.create(WorklistItemEntity, fields));
        return { item, steps: await this.saveSteps(em, item.id, steps) };
      }),
    );
  }

  /** Replaces the item's fields and steps; null when there is no such item. */
  async replace(id: string, fields: ItemFields, steps: StepFields[]): Promise<StoredItem | null | { conflict: string }> {
    return this.unique(() =>
      this.db.transaction(async (em) => {
        const existing = await em.findOneBy(WorklistItemEntity, { id });
        if (!existing) return null;
        const item = await em.save(Object.assign(existing, fields));
        await em.delete(WorklistStepEntity, { itemId: id });
        return { item, steps: await this.saveSteps(em, id, steps) };
      }),
    );
  }

  async findById(id: string): Promise<StoredItem | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const item = await this.db.manager.findOneBy(WorklistItemEntity, { id });
    return item && { item, steps: await this.stepsOf([id]).then((m) => m.get(id) ?? []) };
  }

  async findByStudyUid(studyUid: string): Promise<StoredItem | null> {
    const item = await this.db.manager.findOneBy(WorklistItemEntity, { studyUid });
    return item && { item, steps: await this.stepsOf([item.id]).then((m) => m.get(item.id) ?? []) };
  }

  /**
   * The one open (not CANCELLED) item with this accession number and a Scheduled Procedure Step
   * of this ID, whatever the accession's issuer; null when none or several match.
   */
  async findOpenByAccessionAndStep(accessionNumber: string, stepId: string): Promise<StoredItem | null> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT i.id FROM worklist_items i WHERE i.accession_number = $1 AND i.status <> 'CANCELLED'
         AND EXISTS (SELECT 1 FROM worklist_steps s WHERE s.item_id = i.id AND s.step_id = $2) LIMIT 2`,
      [accessionNumber, stepId],
    );
    return rows.length === 1 ? this.findById(String(rows[0].id)) : null;
  }

  /** The item ordered under this Accession Number (any issuer) for this Requested Procedure ID, newest first. */
  async findByAccessionAndProcedure(accessionNumber: string, requestedProcedureId: string): Promise<StoredItem | null> {
    const rows: { id: string }[] = await this.db.query(
      'SELECT id FROM worklist_items WHERE accession_number = $1 AND requested_procedure_id = $2 ORDER BY id DESC LIMIT 1',
      [accessionNumber, requestedProcedureId],
    );
    return rows.length === 1 ? this.findById(String(rows[0].id)) : null;
  }

  /**
   * Gives every item of a patient (`match`; an empty issuer on either side matches any) the
   * patient's identity and demographics; an empty issuer, a null birth date or sex keeps the stored one. Returns
   * the ids of the items changed.
   */
  async correctPatient(match: PatientMatch, patient: PatientFields): Promise<string[]> {
    // TypeORM answers an UPDATE ... RETURNING with [rows, affected count].
    const [rows]: [{ id: string }[], number] = await this.db.query(
      `UPDATE worklist_items SET patient_id = $3, patient_issuer = CASE WHEN $4 = '' THEN patient_issuer ELSE $4 END, patient_name = $5,
         birth_date = COALESCE($6, birth_date), sex = COALESCE($7, sex), updated_at = now()
       WHERE patient_id = $1 AND ($2 = '' OR patient_issuer IN ($2, '')) RETURNING id`,
      [match.id, match.issuer, patient.id, patient.issuer, patient.name, patient.birthDate, patient.sex],
    );
    return rows.map((r) => String(r.id));
  }

  /** Items having at least one step that passes the filter, newest schedule first. */
  async list(filter: ListFilter, limit: number, offset: number): Promise<{ items: StoredItem[]; total: number }> {
    const where = listConditions(filter);
    const sql = `FROM worklist_items i WHERE ${where.sql}`;
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total ${sql}`, where.params);
    const rows: { id: string }[] = await this.db.query(
      `SELECT i.id ${sql} ORDER BY i.id DESC LIMIT $${where.params.length + 1} OFFSET $${where.params.length + 2}`,
      [...where.params, limit, offset],
    );
    const ids = rows.map((r) => String(r.id));
    if (ids.length === 0) return { items: [], total };
    const items = await this.db.manager.createQueryBuilder(WorklistItemEntity, 'i').where('i.id IN (:...ids)', { ids }).orderBy('i.id', 'DESC').getMany();
    const steps = await this.stepsOf(ids);
    return { items: items.map((item) => ({ item, steps: steps.get(item.id) ?? [] })), total };
  }

  /** Scheduled Procedure Steps matching an MWL identifier, in schedule order. */
  async matchSteps(condition: SqlCondition, limit: number): Promise<StepMatch[]> {
    const rows: { step_pk: string; item_pk: string }[] = await this.db.query(
      `SELECT s.id AS step_pk, i.id AS item_pk FROM worklist_steps s JOIN worklist_items i ON i.id = s.item_id
       WHERE ${condition.sql} ORDER BY s.start_date, s.start_time, s.id LIMIT $${condition.params.length + 1}`,
      [...condition.params, limit],
    );
    if (rows.length === 0) return [];
    const stepIds = rows.map((r) => String(r.step_pk));
    const itemIds = [...new Set(rows.map((r) => String(r.item_pk)))];
    const steps = new Map((await this.db.manager.createQueryBuilder(WorklistStepEntity, 's').where('s.id IN (:...stepIds)', { stepIds }).getMany()).map((s) => [s.id, s]));
    const items = new Map((await this.db.manager.createQueryBuilder(WorklistItemEntity, 'i').where('i.id IN (:...itemIds)', { itemIds }).getMany()).map((i) => [i.id, i]));
    return rows.map((r) => ({ item: items.get(String(r.item_pk))!, step: steps.get(String(r.step_pk))! }));
  }

  /** Sets the status of the item and of some of its steps (by primary key), in one transaction. */
  async setStepStatus(itemId: string, itemStatus: WorklistStatus, stepPks: string[], stepStatus: WorklistStatus): Promise<void> {
    await this.db.transaction(async (em) => {
      await em.update(WorklistItemEntity, { id: itemId }, { status: itemStatus });
      if (stepPks.length) await em.update(WorklistStepEntity, { itemId, id: In(stepPks) }, { status: stepStatus });
    });
  }

  private async saveSteps(em: EntityManager, itemId: string, steps: StepFields[]): Promise<WorklistStepEntity[]> {
    return em.save(steps.map((s) => em.create(WorklistStepEntity, { ...s, itemId })));
  }

  private async stepsOf(itemIds: string[]): Promise<Map<string, WorklistStepEntity[]>> {
    const steps = await this.db.manager
      .createQueryBuilder(WorklistStepEntity, 's')
      .where('s.item_id IN (:...itemIds)', { itemIds })
      .orderBy('s.position')
      .getMany();
    const byItem = new Map<string, WorklistStepEntity[]>();
    for (const s of steps) byItem.set(String(s.itemId), [...(byItem.get(String(s.itemId)) ?? []), s]);
    return byItem;
  }

  private async unique<T>(run: () => Promise<T>): Promise<T | { conflict: string }> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === UNIQUE_VIOLATION) {
        return { conflict: String((err.driverError as { constraint?: string }).constraint ?? '') };
      }
      throw err;
    }
  }
}

function listConditions(f: ListFilter): SqlCondition {
  const params: unknown[] = [];
  const item: string[] = ['true'];
  const step: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (f.status) item.push(`i.status = ${p(f.status)}`);
  if (f.patientId) item.push(`i.patient_id = ${p(f.patientId)}`);
  if (f.accessionNumber) item.push(`i.accession_number = ${p(f.accessionNumber)}`);
  if (f.dateFrom) step.push(`s.start_date >= ${p(f.dateFrom)}`);
  if (f.dateTo) step.push(`s.start_date <= ${p(f.dateTo)}`);
  if (f.modality) step.push(`s.modality = ${p(f.modality)}`);
  if (f.stationAeTitle) step.push(`s.station_ae = ${p(f.stationAeTitle)}`);
  if (step.length) item.push(`EXISTS (SELECT 1 FROM worklist_steps s WHERE s.item_id = i.id AND ${step.join(' AND ')})`);
  return { sql: item.join(' AND '), params };
}
