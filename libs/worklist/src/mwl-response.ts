import type { DicomAttributes } from '@pacs/dimse';
import { CodedEntry } from './worklist-item.entity';
import { StepMatch } from './worklist.repository';

const pn = (name: string | null) => (name ? [{ Alphabetic: name }] : []);
const str = (value: string | null | undefined) => value ?? '';
const codes = (entries: CodedEntry[]) =>
  entries.map((c) => ({ CodeValue: c.value, CodingSchemeDesignator: c.scheme, CodeMeaning: c.meaning }));

/** Values of the Scheduled Procedure Step attributes we hold (PS3.4 Table K.6-1). */
function stepValues({ step }: StepMatch): DicomAttributes {
  return {
    ScheduledStationAETitle: step.stationAe,
    ScheduledStationName: str(step.stationName),
    ScheduledProcedureStepStartDate: step.startDate,
    ScheduledProcedureStepStartTime: step.startTime,
    Modality: step.modality,
    ScheduledPerformingPhysicianName: pn(step.performingPhysician),
    ScheduledProcedureStepDescription: str(step.description),
    ScheduledProcedureStepID: step.stepId,
    ScheduledProcedureStepStatus: step.status,
    ScheduledProtocolCodeSequence: codes(step.protocolCodes),
  };
}

/** Values of the Requested Procedure, Imaging Service Request and Patient attributes we hold. */
function itemValues({ item }: StepMatch): DicomAttributes {
  return {
    PatientName: pn(item.patientName),
    PatientID: item.patientId,
    IssuerOfPatientID: item.patientIssuer,
    PatientBirthDate: str(item.birthDate),
    PatientSex: str(item.sex),
    AccessionNumber: item.accessionNumber,
    RequestedProcedureID: item.requestedProcedureId,
    RequestedProcedureDescription: str(item.requestedProcedureDescription),
    RequestedProcedureCodeSequence: item.requestedProcedureCode ? codes([item.requestedProcedureCode]) : [],
    StudyInstanceUID: item.studyUid,
    ReferringPhysicianName: pn(item.referringPhysician),
  };
}

/** A key we do not hold is returned zero-length, in the shape it was asked in (PS3.4 C.2.2.1.1). */
function pick(requested: DicomAttributes, values: DicomAttributes): DicomAttributes {
  const out: DicomAttributes = {};
  for (const [keyword, asked] of Object.entries(requested)) {
    if (keyword.startsWith('_') || keyword === 'SpecificCharacterSet') continue;
    out[keyword] = keyword in values ? values[keyword] : Array.isArray(asked) ? [] : '';
  }
  return out;
}

/**
 * One C-FIND response identifier for one Scheduled Procedure Step: the requested keys only, the
 * step as the single item of the Scheduled Procedure Step Sequence (PS3.4 K.6.1.2.2), in UTF-8
 * (ISO_IR 192): dcmjs decoded the request's character set and encodes its strings as UTF-8.
 */
export function mwlResponse(identifier: DicomAttributes, match: StepMatch): DicomAttributes {
  const out: DicomAttributes = { SpecificCharacterSet: 'ISO_IR 192', ...pick(identifier, itemValues(match)) };
  const seq = identifier.ScheduledProcedureStepSequence;
  if (Array.isArray(seq)) {
    const requested = (seq[0] ?? {}) as DicomAttributes;
    const all = stepValues(match);
    // An empty sequence asks for the whole step (universal sequence matching, PS3.4 C.2.2.2.6).
    out.ScheduledProcedureStepSequence = [Object.keys(requested).filter((k) => !k.startsWith('_')).length ? pick(requested, all) : all];
  }
  return out;
}
