import { data } from 'dcmjs';
import type { DicomJson } from '@pacs/dicom';
import type { FindKey, FindLevel, FindQuery, RetrieveScope } from '@pacs/index';
import type { DicomAttributes } from '../providers/dimse-providers';
import { DimseFailure } from '../providers/dimse-providers';
import { DimseStatus } from '@pacs/errors';
import type { QrRoot } from './qr-sop-classes';

type JsonElement = { vr: string; Value?: unknown[] };
const dictionary = (data as unknown as { DicomMetaDictionary: { denaturalizeDataset(d: object): Record<string, JsonElement> } })
  .DicomMetaDictionary;

const LEVELS: Record<string, FindLevel> = { PATIENT: 'patient', STUDY: 'study', SERIES: 'series', IMAGE: 'instance' };
const LEVEL_NAMES: Record<FindLevel, string> = { patient: 'PATIENT', study: 'STUDY', series: 'SERIES', instance: 'IMAGE' };
const QUERY_RETRIEVE_LEVEL = '00080052';
const SPECIFIC_CHARACTER_SET = '00080005';
/** Unique keys per level (PS3.4 C.6.1.1, C.6.2.1): Patient ID, Study/Series/SOP Instance UID. */
const UNIQUE_KEY: Record<FindLevel, string> = { patient: '00100020', study: '0020000D', series: '0020000E', instance: '00080018' };
const ORDER: FindLevel[] = ['patient', 'study', 'series', 'instance'];

/**
 * The Query/Retrieve Level (0008,0052) of an identifier. PS3.4 C.4.1.1.4 / C.4.2.1.5: a missing
 * or unknown level, or PATIENT in the Study Root model, is "Identifier does not match SOP Class".
 */
export function levelOf(identifier: Record<string, JsonElement>, root: QrRoot): FindLevel {
  const raw = text(identifier[QUERY_RETRIEVE_LEVEL]).trim().toUpperCase();
  const level = LEVELS[raw];
  if (!level) throw new DimseFailure(DimseStatus.IdentifierDoesNotMatchSopClass, `unknown Query/Retrieve Level "${raw.slice(0, 16)}"`);
  if (root === 'study' && level === 'patient') {
    throw new DimseFailure(DimseStatus.IdentifierDoesNotMatchSopClass, 'PATIENT level is not in the Study Root model');
  }
  return level;
}

/** A naturalized identifier (dcmjs) as DICOM JSON by tag. */
export function identifierJson(identifier: DicomAttributes): Record<string, JsonElement> {
  return dictionary.denaturalizeDataset(identifier);
}

/** Turns a C-FIND identifier into a query of the shared engine (PS3.4 C.4.1.2.1). */
export function toFindQuery(identifier: DicomAttributes, root: QrRoot): FindQuery {
  const json = identifierJson(identifier);
  const level = levelOf(json, root);
  const keys: FindKey[] = [];
  for (const [tag, element] of Object.entries(json)) {
    if (tag === QUERY_RETRIEVE_LEVEL || tag === SPECIFIC_CHARACTER_SET) continue;
    keys.push(toKey(tag, element));
  }
  // Unique keys of this level and the levels above are always returned (PS3.4 C.4.1.2.1); in the
  // Study Root model the patient level is part of the study level.
  const from = root === 'patient' ? 0 : 1;
  const alwaysReturn = ORDER.slice(from, ORDER.indexOf(level) + 1).map((l) => UNIQUE_KEY[l]);
  return { level, keys, alwaysReturn };
}

function toKey(tag: string, element: JsonElement): FindKey {
  if (element.vr === 'SQ') {
    const item = (element.Value?.[0] ?? {}) as Record<string, JsonElement>;
    return { tag, value: '', items: Object.entries(item).filter(([t]) => /^[0-9A-F]{8}$/i.test(t)).map(([t, e]) => toKey(t, e)) };
  }
  return { tag, value: text(element) };
}

/** Values of an element in DICOM matching syntax: multiple values joined by "\\", PN by Alphabetic. */
function text(element: JsonElement | undefined): string {
  return (element?.Value ?? [])
    .map((v) => (v === null || v === undefined ? '' : typeof v === 'object' ? String((v as { Alphabetic?: string }).Alphabetic ?? '') : String(v)))
    .join('\\');
}

/**
 * A C-FIND response identifier: the match with Query/Retrieve Level, in UTF-8 (values are written
 * as UTF-8), so Specific Character Set says ISO_IR 192 when any value needs it (PS3.5 6.1.2.3).
 * A requested key this archive does not know (UN without value) is left out, as PS3.4 C.2.2.1.1
 * allows, and as the dcmjs encoding before it did.
 */
export function toResponseIdentifier(match: DicomJson, level: FindLevel): DicomJson {
  const out: DicomJson = {};
  for (const [tag, element] of Object.entries(match)) if (element.vr !== 'UN' || element.Value) out[tag] = element;
  out[QUERY_RETRIEVE_LEVEL] = { vr: 'CS', Value: [LEVEL_NAMES[level]] };
  delete out[SPECIFIC_CHARACTER_SET];
  if (/[^\x00-\x7f]/.test(JSON.stringify(match))) out[SPECIFIC_CHARACTER_SET] = { vr: 'CS', Value: ['ISO_IR 192'] };
  return out;
}

/**
 * The instances a C-MOVE / C-GET identifier selects: the unique key of the level (a UID list is
 * allowed, PS3.4 C.4.2.2.1) and those given above it. Missing unique key: 0xA900.
 */
export function toRetrieveScope(identifier: DicomAttributes, root: QrRoot): RetrieveScope {
  const json = identifierJson(identifier);
  const level = levelOf(json, root);
  const list = (tag: string) => text(json[tag]).split('\\').map((u) => u.trim()).filter(Boolean);
  const scope: RetrieveScope = {};
  const patientId = text(json[UNIQUE_KEY.patient]).trim();
  if (patientId) scope.patientId = patientId;
  if (list(UNIQUE_KEY.study).length) scope.studyUids = list(UNIQUE_KEY.study);
  if (list(UNIQUE_KEY.series).length) scope.seriesUids = list(UNIQUE_KEY.series);
  if (list(UNIQUE_KEY.instance).length) scope.sopInstanceUids = list(UNIQUE_KEY.instance);
  const required: Record<FindLevel, unknown> = { patient: scope.patientId, study: scope.studyUids, series: scope.seriesUids, instance: scope.sopInstanceUids };
  if (!required[level]) {
    throw new DimseFailure(DimseStatus.IdentifierDoesNotMatchSopClass, `${LEVEL_NAMES[level]} level needs its unique key`);
  }
  return scope;
}
