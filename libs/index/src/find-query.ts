import { attributeInfo } from '@pacs/dicom';
import { QueryError } from './index.errors';
import { Column, COLUMNS, kindOfVr } from './query-columns';
import { condition } from './query-engine';
import { FindKey, FindLevel, FindQuery } from './query.types';

/** Rows fetched per round trip while streaming C-FIND matches (keyset paging, bounded memory). */
export const FIND_BATCH = 200;

/** The latest study of a patient carries the patient module (patients have no JSON of their own). */
const PATIENT_STUDY = `(SELECT pst.attributes FROM studies pst WHERE pst.patient_pk = p.id ORDER BY pst.id DESC LIMIT 1)`;

const FROM: Record<FindLevel, string> = {
  patient: 'patients p',
  study: 'studies st JOIN patients p ON p.id = st.patient_pk',
  series: 'series se JOIN studies st ON st.id = se.study_pk JOIN patients p ON p.id = st.patient_pk',
  instance:
    'instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk JOIN patients p ON p.id = st.patient_pk',
};

const SELECT: Record<FindLevel, string> = {
  patient:
    `p.id AS cursor, ${PATIENT_STUDY} AS study, ` +
    `(SELECT count(*) FROM studies c WHERE c.patient_pk = p.id) AS num_studies, ` +
    `(SELECT coalesce(sum(c.num_series), 0) FROM studies c WHERE c.patient_pk = p.id) AS num_series, ` +
    `(SELECT coalesce(sum(c.num_instances), 0) FROM studies c WHERE c.patient_pk = p.id) AS num_instances`,
  study: 'st.id AS cursor, st.attributes AS study, st.modalities, st.num_series, st.num_instances',
  series: 'se.id AS cursor, st.attributes AS study, se.attributes AS series, se.num_instances',
  instance: 'i.id AS cursor, st.attributes AS study, se.attributes AS series, i.attributes AS instance',
};

const CURSOR: Record<FindLevel, string> = { patient: 'p.id', study: 'st.id', series: 'se.id', instance: 'i.id' };

/** Where the full header of a level is, for keys that are not columns. */
const JSON_SOURCE: Record<FindLevel, string> = {
  patient: PATIENT_STUDY,
  study: 'st.attributes',
  series: '(st.attributes || se.attributes)',
  instance: 'i.attributes',
};

const PATIENT_COLUMNS: Record<string, Column> = {
  '00100010': { sql: 'p.patient_name', kind: 'pn' },
  '00100020': { sql: 'p.patient_id', kind: 'string' },
  '00100030': { sql: 'p.birth_date', kind: 'date' },
  '00100040': { sql: 'p.sex', kind: 'string' },
};

export interface BuiltFind {
  /** SQL of one page; its last parameter is the cursor (the last id seen). */
  sql: string;
  params: unknown[];
}

/**
 * One page of a C-FIND query as parameterized SQL, following PS3.4 C.2.2.2 (the same matching as
 * QIDO-RS); pages are read in id order after `cursor` (keyset paging) so the result set is
 * never held whole.
 */
export function buildFindPage(query: FindQuery, cursor: number, batch = FIND_BATCH): BuiltFind {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const where = query.keys.flatMap((key) => keyCondition(query.level, key, param));
  where.push(`${CURSOR[query.level]} > ${param(cursor)}`);
  const sql =
    `SELECT ${SELECT[query.level]} FROM ${FROM[query.level]} WHERE ${where.join(' AND ')} ` +
    `ORDER BY ${CURSOR[query.level]} LIMIT ${batch}`;
  return { sql, params };
}

function keyCondition(level: FindLevel, key: FindKey, param: (v: unknown) => string): string[] {
  const info = attributeInfo(key.tag);
  if (!info) return []; // private attributes: not matched (PS3.4 C.2.2.1.1, optional keys)
  if (key.items) return sequenceCondition(level, key, param);
  if (key.value === '' || key.value === '*') return []; // universal matching (C.2.2.2.3)
  const columns = level === 'patient' ? PATIENT_COLUMNS : COLUMNS[level];
  const column = columns[info.tag] ?? jsonColumn(`${JSON_SOURCE[level]}->'${info.tag}'`, info.vr);
  return [condition(column, key.value, param, false)];
}

/**
 * Sequence matching (PS3.4 C.2.2.2.6): an entity matches when at least one item of its stored
 * sequence matches every key of the query item; an item of universal keys matches everything.
 */
function sequenceCondition(level: FindLevel, key: FindKey, param: (v: unknown) => string): string[] {
  const inner: string[] = [];
  for (const item of key.items ?? []) {
    const info = attributeInfo(item.tag);
    if (!info || item.items || item.value === '' || item.value === '*') continue;
    inner.push(condition(jsonColumn(`item->'${info.tag}'`, info.vr), item.value, param, false));
  }
  if (inner.length === 0) return [];
  const items = `jsonb_array_elements(coalesce(${JSON_SOURCE[level]}->'${key.tag}'->'Value', '[]'::jsonb))`;
  return [`EXISTS (SELECT 1 FROM ${items} AS item WHERE ${inner.join(' AND ')})`];
}

function jsonColumn(element: string, vr: string): Column {
  if (vr === 'SQ') throw new QueryError('a sequence cannot be matched as a value');
  const path = vr === 'PN' ? `->'Value'->0->>'Alphabetic'` : `->'Value'->>0`;
  return { sql: `(${element}${path})`, kind: kindOfVr(vr) };
}
