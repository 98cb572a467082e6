import { attributeInfo } from '@pacs/dicom';
import { QueryError } from './index.errors';
import { ATTRIBUTES_SQL, Column, COLUMNS, kindOfVr } from './query-columns';
import { InstanceQuery, QueryLevel } from './query.types';

export const MAX_RESULTS = 1000;

export interface BuiltQuery {
  sql: string;
  params: unknown[];
  /** Tags that were matched on (they are returned too, PS3.4 C.2.2.1.2). */
  matchedTags: string[];
  limit: number;
}

const FROM: Record<QueryLevel, string> = {
  study: 'studies st JOIN patients p ON p.id = st.patient_pk',
  series: 'series se JOIN studies st ON st.id = se.study_pk JOIN patients p ON p.id = st.patient_pk',
  instance:
    'instances i JOIN series se ON se.id = i.series_pk JOIN studies st ON st.id = se.study_pk JOIN patients p ON p.id = st.patient_pk',
};

const SELECT: Record<QueryLevel, string> = {
  study: 'st.attributes AS study, st.modalities, st.num_series, st.num_instances, st.completed_at',
  series: 'st.attributes AS study, se.attributes AS series, st.study_uid, se.num_instances',
  instance: 'st.attributes AS study, se.attributes AS series, i.attributes AS instance',
};

const ORDER: Record<QueryLevel, string> = {
  study: 'st.study_date DESC NULLS LAST, st.study_time DESC NULLS LAST, st.id DESC',
  series: 'se.series_number ASC NULLS LAST, se.id ASC',
  instance: 'i.instance_number ASC NULLS LAST, i.id ASC',
};

/**
 * Turns matching keys into one parameterized SQL statement, following PS3.4 C.2.2.2:
 * universal (empty), single value, wildcard (* ?), UID list (\\-separated), range (a-b, a-, -b).
 */
export function buildQuery(query: InstanceQuery): BuiltQuery {
  const params: unknown[] = [];
  const where: string[] = [];
  const matchedTags: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (query.studyUid) where.push(`st.study_uid = ${param(query.studyUid)}`);
  if (query.seriesUid) where.push(`se.series_uid = ${param(query.seriesUid)}`);
  for (const [key, value] of Object.entries(query.match)) {
    const info = attributeInfo(key);
    if (!info) throw new QueryError(`unknown attribute "${key}"`);
    matchedTags.push(info.tag);
    if (value === '' || value === '*') continue; // universal matching
    const column = COLUMNS[query.level][info.tag] ?? jsonColumn(query.level, info.tag, info.vr);
    where.push(condition(column, value, param, query.fuzzy === true));
  }
  const limit = Math.min(query.limit ?? MAX_RESULTS, MAX_RESULTS);
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1) throw new QueryError('limit must be a positive integer');
  if (!Number.isInteger(offset) || offset < 0) throw new QueryError('offset must be a non-negative integer');
  const sql =
    `SELECT ${SELECT[query.level]} FROM ${FROM[query.level]}` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    // Parameters, not inline values: every page of a query is then one text, one named
    // statement (queryPrepared), parsed once per connection.
    ` ORDER BY ${ORDER[query.level]} LIMIT ${param(limit + 1)} OFFSET ${param(offset)}`;
  return { sql, params, matchedTags, limit };
}

function jsonColumn(level: QueryLevel, tag: string, vr: string): Column {
  const path = vr === 'PN' ? `->'Value'->0->>'Alphabetic'` : `->'Value'->>0`;
  const source = level === 'study' ? ATTRIBUTES_SQL.study : level === 'series' ? `(st.attributes || se.attributes)` : `i.attributes`;
  return { sql: `(${source}->'${tag}'${path})`, kind: kindOfVr(vr) };
}

export function condition(column: Column, raw: string, param: (v: unknown) => string, fuzzy: boolean): string {
  const value = raw.trim();
  switch (column.kind) {
    case 'uid': {
      const uids = value.split('\\').map((u) => u.trim()).filter(Boolean);
      return uids.length > 1 ? `${column.sql} = ANY(${param(uids)}::text[])` : `${column.sql} = ${param(uids[0] ?? '')}`;
    }
    case 'array':
      return `${column.sql} && ${param(value.split('\\').map((v) => v.trim()))}::text[]`;
    case 'date':
    case 'time':
      return value.includes('-') ? range(column.sql, value, param) : textMatch(column.sql, value, param, false);
    case 'int': {
      if (!/^-?\d+$/.test(value)) throw new QueryError(`"${value}" is not an integer`);
      return `${column.sql} = ${param(Number(value))}`;
    }
    case 'pn':
      return fuzzy ? fuzzyName(column.sql, value, param) : textMatch(column.sql, value, param, true);
    default:
      return textMatch(column.sql, value, param, false);
  }
}

/** PS3.4 C.2.2.2.5: "a-b", "a-" and "-b"; a bound may be a prefix (e.g. a time of "10"). */
function range(sql: string, value: string, param: (v: unknown) => string): string {
  const [from, to] = value.split('-').map((v) => v.trim());
  const parts: string[] = [];
  if (from) parts.push(`${sql} >= ${param(from)}`);
  // "~" sorts after every digit, so "1000~" includes 100000 and 100059.
  if (to) parts.push(`${sql} <= ${param(`${to}~`)}`);
  if (parts.length === 0) throw new QueryError(`"${value}" is not a valid range`);
  return `(${parts.join(' AND ')})`;
}

/** Single value or wildcard (PS3.4 C.2.2.2.1, C.2.2.2.4); person names case-insensitively. */
function textMatch(sql: string, value: string, param: (v: unknown) => string, caseInsensitive: boolean): string {
  const target = caseInsensitive ? `upper(${sql})` : sql;
  if (!/[*?]/.test(value)) return `${target} = ${caseInsensitive ? `upper(${param(value)})` : param(value)}`;
  const pattern = value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_');
  return `${target} LIKE ${caseInsensitive ? `upper(${param(pattern)})` : param(pattern)}`;
}

/**
 * Fuzzy person-name matching (PS3.18 10.6.1.2.1 fuzzymatching): each query word matches a name
 * component by prefix, ignoring case and accents (PostgreSQL unaccent, created by migration).
 */
function fuzzyName(sql: string, value: string, param: (v: unknown) => string): string {
  const words = value.replace(/[*?]/g, '').split(/[\s^,]+/).filter(Boolean);
  if (words.length === 0) return 'TRUE';
  const name = `upper(unaccent(coalesce(${sql}, '')))`;
  return words
    .map((w) => {
      const p = `upper(unaccent(${param(w.replace(/[\\%_]/g, (c) => `\\${c}`))}::text))`;
      return `(${name} LIKE ${p} || '%' OR ${name} LIKE '%^' || ${p} || '%' OR ${name} LIKE '% ' || ${p} || '%')`;
    })
    .join(' AND ');
}
