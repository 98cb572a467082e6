import { dummyValue, FREE_TEXT_VRS } from './dummy-values';
import { DeidOption, Treatment, treatmentOf } from './profile-table';
import { PatientPseudonym, Pseudonyms, shiftDate, shiftDateTime } from './pseudonyms';

/** One attribute in dcmjs's dataset form (DICOM JSON-like: sequences hold datasets, PN holds objects). */
export interface DeidElement {
  vr: string;
  Value?: unknown[];
}
export type DeidDataset = Record<string, DeidElement>;

/** What the de-identification of one instance needs. */
export interface DeidContext {
  pseudonyms: Pseudonyms;
  patient: PatientPseudonym;
  options: ReadonlySet<DeidOption>;
  /** Identifying words of this instance (names, IDs), removed by the Clean Descriptors Option. */
  identifiers: string[];
}

/**
 * Applies Table E.1-1 to a dataset in place, items of every sequence included (PS3.15 E.3.1).
 * Attributes the table does not list are kept, except private ones; inside a sequence the profile
 * replaces with dummy content (D, e.g. an SR's Content Sequence) free text is dummied as well.
 */
export function deidentifyDataset(dataset: DeidDataset, context: DeidContext, inDummy = false): void {
  for (const tag of Object.keys(dataset)) {
    const element = dataset[tag];
    const treatment = treatmentOf(tag, context.options) ?? (inDummy && FREE_TEXT_VRS.has(element.vr) ? 'dummy' : undefined);
    if (treatment === 'remove') delete dataset[tag];
    else if (element.vr === 'SQ') treatSequence(element, treatment, context, inDummy);
    else if (treatment) treatValue(element, treatment, context);
  }
}

function treatSequence(element: DeidElement, treatment: Treatment | undefined, context: DeidContext, inDummy: boolean): void {
  if (treatment === 'zero') {
    element.Value = [];
    return;
  }
  const dummy = inDummy || treatment === 'dummy';
  for (const item of (element.Value ?? []) as DeidDataset[]) deidentifyDataset(item, context, dummy);
}

function treatValue(element: DeidElement, treatment: Treatment, context: DeidContext): void {
  switch (treatment) {
    case 'zero':
    case 'uids-within':
      element.Value = [];
      return;
    case 'dummy':
      element.Value = element.vr === 'UI' ? mapUids(element, context) : dummyValue(element.vr);
      return;
    case 'uid':
      element.Value = mapUids(element, context);
      return;
    case 'clean':
      element.Value = clean(element, context);
      return;
    case 'keep':
    case 'remove':
      return;
  }
}

function mapUids(element: DeidElement, context: DeidContext): unknown[] {
  return (element.Value ?? []).map((uid) => (typeof uid === 'string' && uid ? context.pseudonyms.uid(uid.replace(/\0+$/, '').trim()) : uid));
}

/**
 * C: dates and date-times move back by the patient's shift (Modified Dates Option, E.3.6), times
 * stay; text loses the instance's identifying words (Clean Descriptors Option, E.3.5). A value
 * that cannot be cleaned is replaced by a dummy.
 */
function clean(element: DeidElement, context: DeidContext): unknown[] {
  const values = element.Value ?? [];
  const days = context.patient.shiftDays;
  switch (element.vr) {
    case 'DA':
    case 'DT': {
      const shift = element.vr === 'DA' ? shiftDate : shiftDateTime;
      const shifted = values.map((v) => (typeof v === 'string' && context.options.has('modified-dates') ? shift(v, days) : undefined));
      return shifted.every((v) => v !== undefined) ? shifted : dummyValue(element.vr);
    }
    case 'TM':
      return values;
    case 'PN':
      return dummyValue('PN');
    default:
      return values.map((v) => (typeof v === 'string' ? cleanText(v, context.identifiers) : v));
  }
}

/** A descriptor without the identifying words of the instance (whole words, any case). */
export function cleanText(text: string, identifiers: readonly string[]): string {
  let cleaned = text;
  for (const word of identifiers) {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    cleaned = cleaned.replace(new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}(?=$|[^\\p{L}\\p{N}])`, 'giu'), '$1');
  }
  return cleaned.replace(/\s{2,}/g, ' ').trim();
}
