import { Injectable } from '@nestjs/common';
import type { AuditActionCodeLetter } from '@pacs/audit';
import { PacsConfig } from '@pacs/config';
import { DomainError } from '@pacs/errors';
import { WorklistItemDto, WorklistItemView, WorklistService } from '@pacs/worklist';
import { ErrLocation, Hl7Error, Hl7ErrorCode } from './hl7-errors';
import { Hl7Input } from './hl7-fields';
import { checkText, validated } from './hl7-validation';
import { WorklistOrder, worklistOrderOf } from './order-mapping';

/** What a processed message changed, for its acknowledgment and audit event. */
export interface Hl7Outcome {
  actionCode: AuditActionCodeLetter;
  patientId: string;
  studyUids: string[];
  details: Record<string, unknown>;
  /** Set when the message was applied in part: answered AE with this error, the rest stays applied. */
  error?: Hl7Error;
}

const ORDER_ACTION_CODES = { new: 'C', change: 'U', cancel: 'D' } as const;

/**
 * Orders from the RIS applied to the worklist, through its public service with the same
 * validation as the REST routes (patient updates: Hl7PatientHandler).
 */
@Injectable()
export class Hl7WorklistHandler {
  constructor(
    private readonly worklist: WorklistService,
    private readonly config: PacsConfig,
  ) {}

  /** ORM^O01 / OMI^O23: NW creates the item, XO replaces it, CA / OC cancel it. */
  async order(input: Hl7Input, actor: string): Promise<Hl7Outcome> {
    const order = worklistOrderOf(input, this.config.hl7.stationAeTitle);
    checkText(order.accessionNumber, order.accessionAt);
    checkText(order.requestedProcedureId, order.sources['requestedProcedure.id']);
    const details = { orderControl: order.orderControl, accessionNumber: order.accessionNumber, requestedProcedureId: order.requestedProcedureId };
    const done = (item: WorklistItemView): Hl7Outcome => ({
      actionCode: ORDER_ACTION_CODES[order.action],
      patientId: item.patient.id,
      studyUids: [item.studyInstanceUid],
      details: { ...details, itemId: item.id, status: item.status },
    });
    const orc1: ErrLocation = { segment: 'ORC', field: 1 };
    if (!order.item) return done(await domain(async () => this.worklist.cancel((await this.existing(order)).id, actor), orc1, Hl7ErrorCode.ApplicationRecordLocked));
    const dto = await validated(WorklistItemDto, order.item, order.sources);
    if (order.action === 'new') {
      const repeated = await this.repeated(order, dto);
      if (repeated) return { ...done(repeated), details: { ...details, itemId: repeated.id, status: repeated.status, repeated: true } };
      return done(await domain(() => this.worklist.create(dto, actor), order.accessionAt, Hl7ErrorCode.DuplicateKeyIdentifier));
    }
    return done(await domain(async () => this.worklist.replace((await this.existing(order)).id, dto, actor), orc1, Hl7ErrorCode.ApplicationRecordLocked));
  }

  /**
   * The item a NW already created, when this NW is the same order sent again: a sender that
   * lost our ACK sends the message again (HL7 v2.5 2.9.2), and must get AA, not a duplicate-key
   * AE. Same order: same patient and the same scheduled steps (IDs, modality, station, start).
   */
  private async repeated(order: WorklistOrder, dto: WorklistItemDto): Promise<WorklistItemView | null> {
    const item = await this.worklist.findByOrder(order.accessionNumber, order.requestedProcedureId);
    if (!item || item.status === 'CANCELLED') return null;
    const steps = (list: { id: string; modality: string; stationAeTitle: string; startDate: string; startTime: string }[]) =>
      JSON.stringify(list.map((s) => [s.id, s.modality, s.stationAeTitle.trim(), s.startDate, s.startTime]));
    const p = (x: { id: string; name: string; birthDate?: string; sex?: string }) => JSON.stringify([x.id, x.name, x.birthDate ?? null, x.sex ?? null]);
    const sameStudy = !dto.studyInstanceUid || dto.studyInstanceUid === item.studyInstanceUid;
    return sameStudy && p(dto.patient) === p(item.patient) && steps(dto.scheduledSteps) === steps(item.scheduledSteps) ? item : null;
  }

  /** The item an XO or CA names, by accession number and requested procedure ID; AE 204 when none. */
  private async existing(order: WorklistOrder): Promise<WorklistItemView> {
    const item = await this.worklist.findByOrder(order.accessionNumber, order.requestedProcedureId);
    if (item) return item;
    throw new Hl7Error('AE', Hl7ErrorCode.UnknownKeyIdentifier, `no order with accession number ${order.accessionNumber} and requested procedure ${order.requestedProcedureId}`, order.accessionAt);
  }
}

/** A worklist refusal as the AE it is: a taken key or a status that forbids the change, at `location`. */
async function domain<T>(run: () => Promise<T>, location: ErrLocation, conflictCode: number): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const code = err.code === 'worklist-conflict' ? conflictCode : err.code === 'worklist-item-not-found' ? Hl7ErrorCode.UnknownKeyIdentifier : Hl7ErrorCode.DataTypeError;
    throw new Hl7Error('AE', code, err.message, location);
  }
}
