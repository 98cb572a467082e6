import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildQuery, MAX_RESULTS } from './query-engine';
import { QueryError } from './index.errors';

/** The matching parameters: LIMIT and OFFSET are the last two. */
const matching = (q: { params: unknown[] }) => q.params.slice(0, -2);

describe('query engine: PS3.4 C.2.2.2 matching to SQL', () => {
  it('matches a single value exactly and returns the matched tag', () => {
    const q = buildQuery({ level: 'study', match: { PatientID: 'P1' } });
    assert.match(q.sql, /p\.patient_id = \$1/);
    assert.deepEqual(matching(q), ['P1']);
    assert.deepEqual(q.matchedTags, ['00100020']);
  });

  it('turns * and ? into a LIKE pattern, escaping LIKE metacharacters', () => {
    const q = buildQuery({ level: 'study', match: { AccessionNumber: 'A_1*?' } });
    assert.match(q.sql, /st\.accession_number LIKE \$1/);
    assert.deepEqual(matching(q), ['A\\_1%_']);
  });

  it('matches person names case-insensitively', () => {
    const q = buildQuery({ level: 'study', match: { PatientName: 'doe*' } });
    assert.match(q.sql, /upper\(p\.patient_name\) LIKE upper\(\$1\)/);
  });

  it('treats an empty value and a lone * as universal matching', () => {
    const q = buildQuery({ level: 'study', match: { PatientName: '', StudyDescription: '*' } });
    assert.doesNotMatch(q.sql, /WHERE/);
    assert.deepEqual(q.matchedTags, ['00100010', '00081030']);
  });

  it('expands date ranges, open at either end', () => {
    assert.deepEqual(matching(buildQuery({ level: 'study', match: { StudyDate: '20240101-20241231' } })), ['20240101', '20241231~']);
    assert.deepEqual(matching(buildQuery({ level: 'study', match: { StudyDate: '20240101-' } })), ['20240101']);
    assert.deepEqual(matching(buildQuery({ level: 'study', match: { StudyDate: '-20240101' } })), ['20240101~']);
  });

  it('matches a list of UIDs', () => {
    const q = buildQuery({ level: 'study', match: { StudyInstanceUID: '1.2.3\\1.2.4' } });
    assert.match(q.sql, /st\.study_uid = ANY\(\$1::text\[\]\)/);
    assert.deepEqual(matching(q), [['1.2.3', '1.2.4']]);
  });

  it('matches ModalitiesInStudy by overlap', () => {
    const q = buildQuery({ level: 'study', match: { ModalitiesInStudy: 'CT\\MR' } });
    assert.match(q.sql, /st\.modalities && \$1::text\[\]/);
  });

  it('matches attributes that are not columns in the stored header', () => {
    const q = buildQuery({ level: 'instance', match: { '00180050': '5' } });
    assert.match(q.sql, /i\.attributes->'00180050'->'Value'->>0/);
  });

  it('scopes nested resources and fetches one row more than the limit', () => {
    const q = buildQuery({ level: 'instance', match: {}, studyUid: '1.2', seriesUid: '1.2.3', limit: 10, offset: 5 });
    assert.match(q.sql, /st\.study_uid = \$1 AND se\.series_uid = \$2/);
    assert.match(q.sql, /LIMIT \$3 OFFSET \$4$/);
    assert.deepEqual(q.params.slice(2), [11, 5]);
  });

  it('gives every page of the same query the same statement text', () => {
    const page = (offset: number) => buildQuery({ level: 'study', match: { PatientName: 'DOE*' }, limit: 50, offset });
    assert.equal(page(0).sql, page(50).sql);
    assert.notDeepEqual(page(0).params, page(50).params);
  });

  it('caps the limit', () => {
    assert.equal(buildQuery({ level: 'study', match: {}, limit: 1e6 }).limit, MAX_RESULTS);
  });

  it('refuses unknown attributes and bad paging', () => {
    assert.throws(() => buildQuery({ level: 'study', match: { NoSuchKeyword: 'x' } }), QueryError);
    assert.throws(() => buildQuery({ level: 'study', match: {}, limit: 0 }), QueryError);
    assert.throws(() => buildQuery({ level: 'study', match: {}, offset: -1 }), QueryError);
    assert.throws(() => buildQuery({ level: 'series', match: { SeriesNumber: 'abc' } }), QueryError);
  });

  it('fuzzy person-name matching matches each component by prefix, ignoring case and accents', () => {
    const q = buildQuery({ level: 'study', match: { PatientName: 'jan' }, fuzzy: true });
    assert.match(q.sql, /LIKE '%\^' \|\| upper\(unaccent\(\$1::text\)\) \|\| '%'/);
    assert.match(q.sql, /upper\(unaccent\(coalesce\(p\.patient_name, ''\)\)\)/);
    assert.deepEqual(matching(q), ['jan']);
  });
});
