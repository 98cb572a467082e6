import { DicomAttributes, DimseFailure } from '@pacs/dimse';
import { DimseStatus } from '@pacs/errors';
import { isValidUid } from '@pacs/dicom';

/** Performed Procedure Step Status values (PS3.3 C.4.14, Table C.4-14). */
export const PPS_STATUSES = ['IN PROGRESS', 'COMPLETED', 'DISCONTINUED'] as const;
export type PpsStatus = (typeof PPS_STATUSES)[number];

/** What the server keeps of an N-CREATE, after validation. */
export interface CreatedStep {
  status: 'IN PROGRESS';
  studyUid: string;
  scheduledStepId: string | undefined;
  accessionNumber: string | undefined;
  performedStationAe: string;
  attributes: DicomAttributes;
  referencedSopUids: string[];
}

/** Type 1 attributes the SCU must send in N-CREATE (PS3.4 F.7.2.1.1, Table F.7.2-1). */
const CREATE_TYPE1 = [
  'PerformedProcedureStepID',
  'PerformedStationAETitle',
  'PerformedProcedureStepStartDate',
  'PerformedProcedureStepStartTime',
  'PerformedProcedureStepStatus',
  'Modality',
] as const;

const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const text = (v: unknown) => (Array.isArray(v) ? String(v[0] ?? '') : String(v ?? '')).trim();

/** Drops dcmjs's `_vrMap` bookkeeping so the JSON kept in the database is the data set only. */
export function clean(attributes: DicomAttributes): DicomAttributes {
  const out: DicomAttributes = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (k.startsWith('_')) continue;
    out[k] = Array.isArray(v) ? v.map((e) => (e && typeof e === 'object' && !('Alphabetic' in e) ? clean(e as DicomAttributes) : e)) : v;
  }
  return out;
}

function require1(attributes: DicomAttributes, keyword: string): void {
  if (!(keyword in attributes)) throw new DimseFailure(DimseStatus.MissingAttribute, `${keyword} is missing`);
  if (isEmpty(attributes[keyword])) throw new DimseFailure(DimseStatus.MissingAttributeValue, `${keyword} has no value`);
}

/**
 * Validates an N-CREATE data set (PS3.4 F.7.2.1): the Type 1 attributes, status IN PROGRESS,
 * and the Scheduled Step Attributes Sequence with a valid Study Instance UID.
 * Missing → 0x0120, empty → 0x0121, wrong value → 0x0106 (PS3.7 10.1.5.1.6).
 */
export function validateCreate(raw: DicomAttributes): CreatedStep {
  const attributes = clean(raw);
  for (const keyword of CREATE_TYPE1) require1(attributes, keyword);
  const status = text(attributes.PerformedProcedureStepStatus);
  if (status !== 'IN PROGRESS') {
    throw new DimseFailure(DimseStatus.InvalidAttributeValue, `N-CREATE status must be IN PROGRESS, not ${status}`);
  }
  require1(attributes, 'ScheduledStepAttributesSequence');
  require1((attributes.ScheduledStepAttributesSequence as DicomAttributes[])[0] ?? {}, 'StudyInstanceUID');
  const scheduled = scheduledStep(attributes);
  if (!isValidUid(scheduled.studyUid)) throw new DimseFailure(DimseStatus.InvalidAttributeValue, 'Study Instance UID is not a valid UID');
  return {
    status: 'IN PROGRESS',
    ...scheduled,
    performedStationAe: text(attributes.PerformedStationAETitle),
    attributes,
    referencedSopUids: referencedSopUids(attributes),
  };
}

/**
 * What identifies the scheduled step a procedure step performs: the first item of the Scheduled
 * Step Attributes Sequence (PS3.4 Table F.7.2-1; Accession Number and Scheduled Procedure Step
 * ID are Type 2, empty for an unscheduled step).
 */
export function scheduledStep(attributes: DicomAttributes): { studyUid: string; scheduledStepId: string | undefined; accessionNumber: string | undefined } {
  const sequence = attributes.ScheduledStepAttributesSequence;
  const first = (Array.isArray(sequence) ? (sequence[0] as DicomAttributes | undefined) : undefined) ?? {};
  return {
    studyUid: text(first.StudyInstanceUID),
    scheduledStepId: text(first.ScheduledProcedureStepID) || undefined,
    accessionNumber: text(first.AccessionNumber) || undefined,
  };
}

/** Attributes an N-SET may not change once created (PS3.4 F.7.2.2.1, Table F.7.2-1 "Not allowed"). */
const NOT_SETTABLE = ['ScheduledStepAttributesSequence', 'PatientID', 'PerformedStationAETitle', 'PerformedProcedureStepStartDate', 'PerformedProcedureStepStartTime', 'PerformedProcedureStepID', 'Modality'];

/**
 * Applies an N-SET to an instance (PS3.4 F.7.2.2): refused with 0xC310 once COMPLETED or
 * DISCONTINUED; a status other than the three defined ones, or a change to a create-only
 * attribute, is 0x0106; finishing needs the end date and time (0x0121).
 */
export function applySet(current: { status: string; attributes: DicomAttributes }, raw: DicomAttributes): { status: PpsStatus; attributes: DicomAttributes; referencedSopUids: string[] } {
  if (current.status !== 'IN PROGRESS') {
    throw new DimseFailure(DimseStatus.ProcedureStepNoLongerUpdatable, `procedure step is ${current.status} and may no longer be updated`);
  }
  const modifications = clean(raw);
  const forbidden = NOT_SETTABLE.find((k) => k in modifications && JSON.stringify(modifications[k]) !== JSON.stringify(current.attributes[k]));
  if (forbidden) throw new DimseFailure(DimseStatus.InvalidAttributeValue, `${forbidden} cannot be changed by N-SET`);
  const attributes = { ...current.attributes, ...modifications };
  const status = text(attributes.PerformedProcedureStepStatus);
  if (!(PPS_STATUSES as readonly string[]).includes(status)) {
    throw new DimseFailure(DimseStatus.InvalidAttributeValue, `Performed Procedure Step Status ${status} is not defined`);
  }
  if (status !== 'IN PROGRESS') {
    for (const keyword of ['PerformedProcedureStepEndDate', 'PerformedProcedureStepEndTime']) {
      if (isEmpty(attributes[keyword])) throw new DimseFailure(DimseStatus.MissingAttributeValue, `${keyword} is required to finish the step`);
    }
  }
  return { status: status as PpsStatus, attributes, referencedSopUids: referencedSopUids(attributes) };
}

/**
 * The instances a procedure step says it produced: Performed Series Sequence → Referenced Image
 * Sequence and Referenced Non-Image Composite SOP Instance Sequence (PS3.4 F.7.2.1, Table F.7.2-1).
 */
export function referencedSopUids(attributes: DicomAttributes): string[] {
  const series = Array.isArray(attributes.PerformedSeriesSequence) ? (attributes.PerformedSeriesSequence as DicomAttributes[]) : [];
  const uids = series.flatMap((s) =>
    ['ReferencedImageSequence', 'ReferencedNonImageCompositeSOPInstanceSequence'].flatMap((key) =>
      Array.isArray(s[key]) ? (s[key] as DicomAttributes[]).map((r) => text(r.ReferencedSOPInstanceUID)).filter(Boolean) : [],
    ),
  );
  return [...new Set(uids)];
}
