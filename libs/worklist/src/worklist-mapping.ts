import { randomUUID } from 'node:crypto';
import { WorklistItemDto } from './dto/worklist-item.dto';
import { WorklistItemView } from './dto/worklist-view.dto';
import { WorklistStatus } from './worklist-item.entity';
import { ItemFields, StepFields, StoredItem } from './worklist.repository';

/** A UID derived from a UUID (PS3.5 B.2): `2.25.<128-bit integer>`. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

/** The columns of an item and its steps from the REST body. */
export function fromDto(dto: WorklistItemDto, status: WorklistStatus): { fields: ItemFields; steps: StepFields[] } {
  const fields: ItemFields = {
    status,
    patientName: dto.patient.name,
    patientId: dto.patient.id,
    patientIssuer: dto.patient.issuer ?? '',
    birthDate: dto.patient.birthDate ?? null,
    sex: dto.patient.sex ?? null,
    accessionNumber: dto.accessionNumber,
    accessionIssuer: dto.accessionIssuer ?? '',
    requestedProcedureId: dto.requestedProcedure.id,
    requestedProcedureDescription: dto.requestedProcedure.description ?? null,
    requestedProcedureCode: dto.requestedProcedure.code ? { ...dto.requestedProcedure.code } : null,
    referringPhysician: dto.referringPhysician ?? null,
    studyUid: dto.studyInstanceUid ?? newUid(),
  };
  const steps: StepFields[] = dto.scheduledSteps.map((s, position) => ({
    position,
    stepId: s.id,
    status,
    modality: s.modality,
    stationAe: s.stationAeTitle.trim(),
    stationName: s.stationName ?? null,
    startDate: s.startDate,
    startTime: s.startTime,
    description: s.description ?? null,
    performingPhysician: s.performingPhysician ?? null,
    protocolCodes: (s.protocolCodes ?? []).map((c) => ({ ...c })),
  }));
  return { fields, steps };
}

const optional = <T>(value: T | null | undefined): T | undefined => (value === null || value === '' ? undefined : value);

export function toView({ item, steps }: StoredItem): WorklistItemView {
  return {
    id: String(item.id),
    status: item.status,
    patient: {
      name: item.patientName,
      id: item.patientId,
      issuer: optional(item.patientIssuer),
      birthDate: optional(item.birthDate),
      sex: optional(item.sex),
    },
    accessionNumber: item.accessionNumber,
    accessionIssuer: optional(item.accessionIssuer),
    requestedProcedure: {
      id: item.requestedProcedureId,
      description: optional(item.requestedProcedureDescription),
      code: optional(item.requestedProcedureCode),
    },
    referringPhysician: optional(item.referringPhysician),
    studyInstanceUid: item.studyUid,
    scheduledSteps: steps.map((s) => ({
      id: s.stepId,
      status: s.status,
      modality: s.modality,
      stationAeTitle: s.stationAe,
      stationName: optional(s.stationName),
      startDate: s.startDate,
      startTime: s.startTime,
      description: optional(s.description),
      performingPhysician: optional(s.performingPhysician),
      protocolCodes: s.protocolCodes,
    })),
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  };
}

/**
 * The item's status from its steps' (PS3.3 C.4.10): COMPLETED when all are, DISCONTINUED when all
 * are finished and one was discontinued, IN PROGRESS once any has started, else SCHEDULED.
 */
export function itemStatusOf(stepStatuses: readonly WorklistStatus[]): WorklistStatus {
  const finished = (s: WorklistStatus) => s === 'COMPLETED' || s === 'DISCONTINUED';
  if (stepStatuses.length > 0 && stepStatuses.every((s) => s === 'COMPLETED')) return 'COMPLETED';
  if (stepStatuses.length > 0 && stepStatuses.every(finished)) return 'DISCONTINUED';
  if (stepStatuses.some((s) => s === 'IN PROGRESS' || finished(s))) return 'IN PROGRESS';
  return 'SCHEDULED';
}
