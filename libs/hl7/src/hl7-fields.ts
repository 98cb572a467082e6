import type { Hl7Message, Hl7Segment } from '@medplum/core';
import { Delimiters, unescapeValue } from './hl7-encoding';
import { ErrLocation, missing } from './hl7-errors';

/** A parsed message with its delimiters: what the mappings read values from. */
export interface Hl7Input {
  message: Hl7Message;
  delimiters: Delimiters;
}

/**
 * One value: field (1-based), component (1-based), first repetition unless `repetition`
 * (0-based), the whole component or one subcomponent (0-based); escapes decoded, trimmed.
 */
export function value(seg: Hl7Segment | undefined, d: Delimiters, field: number, component = 1, subcomponent?: number): string {
  if (!seg) return '';
  return unescapeValue(seg.getComponent(field, component, subcomponent) ?? '', d).trim();
}

/** The first segment of that name, or AE naming it (101: its required fields are all missing). */
export function required(input: Hl7Input, name: string): Hl7Segment {
  const seg = input.message.getSegment(name);
  if (!seg) throw missing({ segment: name }, `segment ${name}`);
  return seg;
}

/** `value || next || ...`, with where the value came from (for ERR-2). */
export function firstOf(candidates: [string, ErrLocation][]): { value: string; location: ErrLocation } {
  const found = candidates.find(([v]) => v !== '') ?? candidates[0];
  return { value: found[0], location: found[1] };
}

/**
 * XPN or XCN name (HL7 v2.5 2.A.88, 2.A.89) to DICOM PN (PS3.5 6.2.1): HL7 orders family, given,
 * middle, suffix, prefix; DICOM family, given, middle, prefix, suffix. `first`: the component
 * of the family name (1 in XPN, 2 in XCN, after the ID).
 */
export function personName(seg: Hl7Segment | undefined, d: Delimiters, field: number, first = 1): string {
  const part = (i: number) => value(seg, d, field, first + i);
  const family = seg ? unescapeValue(seg.getComponent(field, first, 0) ?? '', d).trim() : '';
  return [family, part(1), part(2), part(4), part(3)].join('^').replace(/\^+$/, '');
}

/**
 * DTM (HL7 v2.5 2.A.22: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]) to DICOM DA and TM:
 * the time zone is dropped (the RIS's local time is the schedule's), a missing time is midnight.
 * A value too short for a date is passed on whole, for the DA rule to name it.
 */
export function dateTime(dtm: string): { date: string; time: string } {
  const local = dtm.replace(/[+-]\d{4}$/, '');
  if (!/^\d{8}/.test(local)) return { date: dtm, time: '0000' };
  return { date: local.slice(0, 8), time: local.slice(8) || '0000' };
}

/** Administrative Sex (HL7 table 0001) to DICOM Patient's Sex: M, F, O; U (unknown) left out. */
export function sexOf(code: string): string | undefined {
  if (code === '' || code === 'U') return undefined;
  if (code === 'A' || code === 'N') return 'O';
  return code;
}

/** PID (HL7 v2.5 3.4.2) as the worklist's patient, with where each property came from. */
export function patientOf(pid: Hl7Segment, d: Delimiters): { patient: Record<string, string | undefined>; sources: Record<string, ErrLocation> } {
  const at = (field: number, component?: number): ErrLocation => ({ segment: 'PID', field, component });
  const id = value(pid, d, 3, 1);
  if (!id) throw missing(at(3, 1), 'PID-3 Patient Identifier List');
  const name = personName(pid, d, 5);
  if (!name) throw missing(at(5, 1), 'PID-5 Patient Name');
  const patient = {
    id,
    issuer: value(pid, d, 3, 4, 0) || undefined,
    name,
    birthDate: value(pid, d, 7, 1).slice(0, 8) || undefined,
    sex: sexOf(value(pid, d, 8)),
  };
  return { patient, sources: { id: at(3, 1), issuer: at(3, 4), name: at(5), birthDate: at(7), sex: at(8) } };
}
