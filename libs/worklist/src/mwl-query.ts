import { DicomAttributes, DimseFailure } from '@pacs/dimse';
import { DimseStatus } from '@pacs/errors';
import { SqlCondition } from './worklist.repository';

/** A matching key value as text: PN values arrive as `[{ Alphabetic }]` (dcmjs naturalized). */
export function keyText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const first = value[0];
    if (first && typeof first === 'object') return String((first as { Alphabetic?: unknown }).Alphabetic ?? '').trim();
    return value.length ? String(first ?? '').trim() : '';
  }
  if (typeof value === 'object') return String((value as { Alphabetic?: unknown }).Alphabetic ?? '').trim();
  return String(value).trim();
}

class Conditions {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];

  param(value: unknown): string {
    return `$${this.params.push(value)}`;
  }

  /**
   * Single value matching, or wildcard matching with `*` and `?` (PS3.4 C.2.2.2.1, C.2.2.2.4);
   * an empty value or a lone `*` is universal matching (C.2.2.2.3). PN matching ignores case,
   * as the standard allows for person names (C.2.2.2.1.1).
   */
  text(column: string, raw: unknown, ignoreCase = false): void {
    const value = keyText(raw);
    if (value === '' || value === '*') return;
    const col = ignoreCase ? `upper(${column})` : column;
    const v = ignoreCase ? value.toUpperCase() : value;
    if (/[*?]/.test(v)) {
      const like = v.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_');
      this.parts.push(`${col} LIKE ${this.param(like)}`);
    } else {
      this.parts.push(`${col} = ${this.param(v)}`);
    }
  }

  /** Range matching `A-B`, `-B`, `A-` or single value (PS3.4 C.2.2.2.5) on text columns that sort as DA/TM. */
  range(column: string, low: string | undefined, high: string | undefined): void {
    if (low) this.parts.push(`${column} >= ${this.param(low)}`);
    if (high) this.parts.push(`${column} <= ${this.param(high)}`);
  }
}

interface Range {
  low?: string;
  high?: string;
}

function parseRange(raw: unknown, pattern: RegExp, keyword: string): Range | undefined {
  const value = keyText(raw);
  if (value === '') return undefined;
  const [low, high, extra] = value.split('-');
  const parts = value.includes('-') ? [low, high] : [low, low];
  if (extra !== undefined || parts.some((p) => p !== '' && !pattern.test(p)) || parts.every((p) => p === '')) {
    throw new DimseFailure(DimseStatus.IdentifierDoesNotMatchSopClass, `${keyword} is not a valid range`);
  }
  return { low: parts[0] || undefined, high: parts[1] || undefined };
}

const DATE = /^\d{8}$/;
const TIME = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;
const pad = (time: string, fill: string) => (time.split('.')[0] + fill.repeat(6)).slice(0, 6);

/**
 * Start date and time: separately when only one is given; when both are, they match as one
 * combined date-time range (PS3.4 C.2.2.2.5.1). Times compare on HHMMSS, a lower bound padded
 * with 0 and an upper bound with 9 so `-1000` includes 10:00:59.
 */
function startDateTime(c: Conditions, sps: DicomAttributes): void {
  const date = parseRange(sps.ScheduledProcedureStepStartDate, DATE, 'Scheduled Procedure Step Start Date');
  const time = parseRange(sps.ScheduledProcedureStepStartTime, TIME, 'Scheduled Procedure Step Start Time');
  const stepTime = `rpad(split_part(s.start_time, '.', 1), 6, '0')`;
  if (date && time) {
    const dt = (d: string | undefined, t: string | undefined, fill: string) => (d ? d + (t ? pad(t, fill) : fill.repeat(6)) : undefined);
    c.range(`(s.start_date || ${stepTime})`, dt(date.low, time.low, '0'), dt(date.high, time.high, '9'));
    return;
  }
  if (date) c.range('s.start_date', date.low, date.high);
  if (time) c.range(stepTime, time.low && pad(time.low, '0'), time.high && pad(time.high, '9'));
}

/**
 * Turns an MWL C-FIND identifier (PS3.4 K.6.1.2, Table K.6-1) into a condition on the steps
 * (`s`) and items (`i`). Only scheduled and started steps of items that are not cancelled or
 * completed are offered.
 */
export function mwlCondition(identifier: DicomAttributes): SqlCondition {
  const seq = identifier.ScheduledProcedureStepSequence;
  if (seq !== undefined && !Array.isArray(seq)) throw new DimseFailure(DimseStatus.IdentifierDoesNotMatchSopClass, 'Scheduled Procedure Step Sequence is not a sequence');
  if (Array.isArray(seq) && seq.length > 1) {
    throw new DimseFailure(DimseStatus.IdentifierDoesNotMatchSopClass, 'Scheduled Procedure Step Sequence must hold at most one item');
  }
  const sps = ((Array.isArray(seq) && seq[0]) || {}) as DicomAttributes;
  const c = new Conditions();
  c.parts.push(`s.status IN ('SCHEDULED', 'IN PROGRESS')`, `i.status NOT IN ('CANCELLED', 'COMPLETED')`);
  c.text('s.station_ae', sps.ScheduledStationAETitle);
  c.text('s.modality', sps.Modality);
  c.text('s.step_id', sps.ScheduledProcedureStepID);
  c.text('coalesce(s.station_name, \'\')', sps.ScheduledStationName);
  c.text('coalesce(s.performing_physician, \'\')', sps.ScheduledPerformingPhysicianName, true);
  c.text('s.status', sps.ScheduledProcedureStepStatus);
  startDateTime(c, sps);
  c.text('i.patient_name', identifier.PatientName, true);
  c.text('i.patient_id', identifier.PatientID);
  c.text('i.accession_number', identifier.AccessionNumber);
  c.text('i.requested_procedure_id', identifier.RequestedProcedureID);
  c.text('i.study_uid', identifier.StudyInstanceUID);
  c.text('coalesce(i.referring_physician, \'\')', identifier.ReferringPhysicianName, true);
  return { sql: c.parts.join(' AND '), params: c.params };
}
