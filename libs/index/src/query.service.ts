import { Injectable } from '@nestjs/common';
import { attributeInfo, DicomJson, normalizeDicomJson } from '@pacs/dicom';
import { QueryError } from './index.errors';
import { DEFAULT_RETURN } from './level-attributes';
import { FIND_BATCH } from './find-query';
import { QueryRepository, QueryRow as Row } from './query.repository';
import { FindLevel, FindQuery, InstanceQuery, QueryLevel, QueryPage } from './query.types';

/** The one query engine behind QIDO-RS and C-FIND (PS3.4 C.2.2.2 matching, PS3.18 10.6). */
@Injectable()
export class QueryService {
  constructor(private readonly index: QueryRepository) {}

  /** Throws QueryError (bad-query) for an unknown attribute or malformed value. */
  async search(query: InstanceQuery): Promise<QueryPage> {
    const { rows, matchedTags, limit } = await this.index.search(query);
    const returned = returnedTags(query, matchedTags);
    const truncated = rows.length > limit;
    const results = rows.slice(0, limit).map((row) => project(merge(query.level, row), returned));
    return { results, truncated };
  }

  /**
   * C-FIND: every match of the query, streamed page by page (keyset paging, no whole result set
   * in memory, no limit), each holding only the query's keys and the unique keys (PS3.4
   * C.4.1.2.1). Stops when `signal` aborts (C-CANCEL). Throws QueryError for a bad value.
   */
  async *stream(query: FindQuery, signal?: AbortSignal): AsyncGenerator<DicomJson> {
    const returned = new Set<string>([...query.keys.map((k) => k.tag), ...query.alwaysReturn]);
    let cursor = 0;
    for (;;) {
      const rows = await this.index.findPage(query, cursor);
      for (const row of rows) {
        if (signal?.aborted) return;
        yield project(mergeFind(query.level, row), returned);
      }
      if (rows.length < FIND_BATCH || signal?.aborted) return;
      cursor = Number(rows[rows.length - 1].cursor);
    }
  }
}

/** PS3.4 C.6.1.1.2: patient level attributes, with the Number of Patient Related Studies/Series/Instances. */
function mergeFind(level: FindLevel, row: Row): DicomJson {
  if (level !== 'patient') return merge(level, row);
  const out: DicomJson = {};
  for (const [tag, element] of Object.entries((row.study as DicomJson | null) ?? {})) if (tag.startsWith('0010')) out[tag] = element;
  out['00201200'] = { vr: 'IS', Value: [Number(row.num_studies)] };
  out['00201202'] = { vr: 'IS', Value: [Number(row.num_series)] };
  out['00201204'] = { vr: 'IS', Value: [Number(row.num_instances)] };
  return out;
}

/** All attributes known for a result row, computed ones included (PS3.18 10.6.3.3). */
function merge(level: QueryLevel, row: Row): DicomJson {
  const online = { vr: 'CS', Value: ['ONLINE'] };
  if (level === 'study') {
    return {
      ...(row.study as DicomJson),
      '00080056': online,
      '00080061': { vr: 'CS', Value: row.modalities as string[] },
      '00201206': { vr: 'IS', Value: [Number(row.num_series)] },
      '00201208': { vr: 'IS', Value: [Number(row.num_instances)] },
      ...(row.completed_at ? { '0032000A': { vr: 'CS', Value: ['COMPLETED'] } } : {}),
    };
  }
  if (level === 'series') {
    return {
      ...(row.study as DicomJson),
      ...(row.series as DicomJson),
      '00080056': online,
      '00201209': { vr: 'IS', Value: [Number(row.num_instances)] },
    };
  }
  return { ...(row.study as DicomJson), ...(row.series as DicomJson), ...(row.instance as DicomJson), '00080056': online };
}

function returnedTags(query: InstanceQuery, matched: string[]): Set<string> | 'all' {
  if (query.includeFields === 'all') return 'all';
  const tags = new Set<string>([...DEFAULT_RETURN[query.level], ...matched]);
  for (const field of query.includeFields ?? []) {
    const info = attributeInfo(field);
    if (!info) throw new QueryError(`unknown attribute "${field}" in includefield`);
    tags.add(info.tag);
  }
  return tags;
}

/**
 * Keeps the returned attributes, in tag order; a returned attribute without value is sent empty.
 * Values are normalized as the ingest now indexes them: rows indexed before hold DA/TM/DT in the
 * pre-3.0 forms as received (normalizeDicomJson).
 */
function project(all: DicomJson, returned: Set<string> | 'all'): DicomJson {
  const out: DicomJson = {};
  const tags = returned === 'all' ? Object.keys(all) : [...returned];
  for (const tag of tags.sort()) {
    const element = all[tag];
    if (element) out[tag] = element;
    else out[tag] = { vr: attributeInfo(tag)?.vr ?? 'UN' };
  }
  return normalizeDicomJson(out);
}
