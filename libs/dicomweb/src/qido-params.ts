import { attributeInfo } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';
import type { InstanceQuery, QueryLevel } from '@pacs/index';
import { checkDateTimeMatch } from './qido-values';

/** The resource a QIDO-RS request searches (PS3.18 10.6.1, Table 10.6.1-2). */
export interface QidoScope {
  level: QueryLevel;
  studyUid?: string;
  seriesUid?: string;
}

export type QueryParams = Record<string, string | string[] | undefined>;

/** Largest page we serve; a bigger or absent limit is cut to it and flagged (PS3.18 8.3.4.4). */
export const MAX_QIDO_LIMIT = 1000;

/** Query parameters with a meaning of their own (PS3.18 8.3.4, 8.3.3.1). */
const RESERVED = new Set(['limit', 'offset', 'fuzzymatching', 'includefield', 'accept', 'charset']);

/**
 * Turns QIDO-RS query parameters into the engine's InstanceQuery: matching keys by keyword
 * or tag (PS3.18 8.3.4.1), `limit`, `offset` (8.3.4.4), `fuzzymatching` (8.3.4.3),
 * `includefield` (8.3.4.2); date and time keys must be values or ranges of their VR. Throws
 * DomainError('bad-request') naming the bad parameter.
 */
export function parseQidoParams(params: QueryParams, scope: QidoScope): InstanceQuery {
  const match: Record<string, string> = {};
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined || RESERVED.has(name)) continue;
    const value = single(name, raw);
    const key = attributeKey(name);
    const vr = vrOf(name);
    checkDateTimeMatch(name, vr, value);
    match[key] = vr === 'UI' ? uidList(value) : value;
  }
  return {
    level: scope.level,
    studyUid: scope.studyUid,
    seriesUid: scope.seriesUid,
    match,
    limit: Math.min(integerParam(params, 'limit', 1) ?? MAX_QIDO_LIMIT, MAX_QIDO_LIMIT),
    offset: integerParam(params, 'offset', 0) ?? 0,
    fuzzy: booleanParam(params, 'fuzzymatching'),
    includeFields: includeFields(params.includefield),
  };
}

/**
 * A matching key is a keyword or 8 hex digits, or a dotted path into a sequence
 * (`ReferencedStudySequence.ReferencedSOPInstanceUID`, PS3.18 8.3.4.1). Tags are upper-cased.
 */
function attributeKey(name: string): string {
  return name
    .split('.')
    .map((part) => {
      const info = attributeInfo(part);
      if (!info) throw new DomainError('bad-request', `unknown attribute in query: ${name}`);
      return /^[0-9a-fA-F]{8}$/.test(part) ? info.tag : part;
    })
    .join('.');
}

/** The VR of the attribute matched (the last one of a sequence path). */
function vrOf(name: string): string | undefined {
  const last = name.split('.').pop() ?? name;
  return attributeInfo(last)?.vr;
}

/** PS3.18 8.3.4.1: a UID list is comma- or backslash-separated; the engine takes backslashes. */
function uidList(value: string): string {
  return value
    .split(/[,\\]/)
    .map((uid) => uid.trim())
    .join('\\');
}

function single(name: string, raw: string | string[]): string {
  if (typeof raw === 'string') return raw;
  throw new DomainError('bad-request', `query parameter ${name} is given more than once`);
}

function integerParam(params: QueryParams, name: string, min: number): number | undefined {
  const raw = params[name];
  if (raw === undefined) return undefined;
  const value = single(name, raw).trim();
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new DomainError('bad-request', `${name} must be an integer ≥ ${min}, not "${value}"`);
  }
  return Number(value);
}

function booleanParam(params: QueryParams, name: string): boolean {
  const raw = params[name];
  if (raw === undefined) return false;
  const value = single(name, raw).trim().toLowerCase();
  if (value !== 'true' && value !== 'false') throw new DomainError('bad-request', `${name} must be true or false, not "${value}"`);
  return value === 'true';
}

/** PS3.18 8.3.4.2: `includefield=all`, or attributes, repeated or comma-separated. */
function includeFields(raw: string | string[] | undefined): string[] | 'all' | undefined {
  if (raw === undefined) return undefined;
  const fields = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((f) => f.trim()).filter((f) => f !== '');
  if (fields.some((f) => f.toLowerCase() === 'all')) return 'all';
  return fields.map(attributeKey);
}
