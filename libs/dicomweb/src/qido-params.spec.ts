import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@pacs/errors';
import { MAX_QIDO_LIMIT, parseQidoParams } from './qido-params';

const studies = { level: 'study' as const };
const badRequest = (pattern: RegExp) => (err: unknown) => err instanceof DomainError && err.code === 'bad-request' && pattern.test(err.message);

describe('QIDO-RS query parameters (PS3.18 8.3.4)', () => {
  it('takes keywords and tags as matching keys, tags upper-cased', () => {
    const q = parseQidoParams({ PatientName: 'DOE*', '0010002a': '', '00100020': 'P1', StudyDate: '20240101-20241231' }, studies);
    assert.deepEqual(q.match, { PatientName: 'DOE*', '0010002A': '', '00100020': 'P1', StudyDate: '20240101-20241231' });
    assert.equal(q.level, 'study');
  });

  it('passes UID lists backslash-separated, whether sent with commas or backslashes', () => {
    assert.equal(parseQidoParams({ StudyInstanceUID: '1.2,1.3' }, studies).match.StudyInstanceUID, '1.2\\1.3');
    assert.equal(parseQidoParams({ '0020000D': '1.2\\1.3' }, studies).match['0020000D'], '1.2\\1.3');
  });

  it('leaves commas alone in attributes that are not UIDs', () => {
    assert.equal(parseQidoParams({ StudyDescription: 'CT, head' }, studies).match.StudyDescription, 'CT, head');
  });

  it('keeps the scope of nested resources', () => {
    const q = parseQidoParams({}, { level: 'instance', studyUid: '1.2', seriesUid: '1.2.3' });
    assert.deepEqual([q.level, q.studyUid, q.seriesUid], ['instance', '1.2', '1.2.3']);
  });

  it('reads limit, offset and fuzzymatching, and caps limit at the server maximum', () => {
    const q = parseQidoParams({ limit: '25', offset: '50', fuzzymatching: 'true' }, studies);
    assert.deepEqual([q.limit, q.offset, q.fuzzy], [25, 50, true]);
    assert.equal(parseQidoParams({ limit: '999999' }, studies).limit, MAX_QIDO_LIMIT);
    assert.equal(parseQidoParams({}, studies).limit, MAX_QIDO_LIMIT);
  });

  it('takes includefield repeated or comma-separated, and "all"', () => {
    assert.deepEqual(parseQidoParams({ includefield: ['00081030', 'PatientAge,StudyID'] }, studies).includeFields, ['00081030', 'PatientAge', 'StudyID']);
    assert.equal(parseQidoParams({ includefield: 'all' }, studies).includeFields, 'all');
  });

  it('accepts a dotted sequence path', () => {
    const q = parseQidoParams({ 'ReferencedStudySequence.ReferencedSOPInstanceUID': '1.2,1.3' }, studies);
    assert.equal(q.match['ReferencedStudySequence.ReferencedSOPInstanceUID'], '1.2\\1.3');
  });

  it('rejects an unknown attribute, naming it', () => {
    assert.throws(() => parseQidoParams({ PatientNmae: 'X' }, studies), badRequest(/PatientNmae/));
    assert.throws(() => parseQidoParams({ includefield: 'Nope' }, studies), badRequest(/Nope/));
  });

  it('rejects a bad limit, offset or fuzzymatching', () => {
    assert.throws(() => parseQidoParams({ limit: 'ten' }, studies), badRequest(/limit/));
    assert.throws(() => parseQidoParams({ limit: '0' }, studies), badRequest(/limit/));
    assert.throws(() => parseQidoParams({ limit: '-5' }, studies), badRequest(/limit/));
    assert.throws(() => parseQidoParams({ offset: '1.5' }, studies), badRequest(/offset/));
    assert.throws(() => parseQidoParams({ fuzzymatching: 'yes' }, studies), badRequest(/fuzzymatching/));
  });

  it('rejects a matching key given twice', () => {
    assert.throws(() => parseQidoParams({ PatientID: ['A', 'B'] }, studies), badRequest(/PatientID/));
  });

  it('takes date and time keys as values or ranges of their VR (PS3.4 C.2.2.2.5)', () => {
    const ok = { StudyDate: '20200101-', StudyTime: '-1200', AcquisitionDateTime: '20200101120000-20200102', PatientBirthDate: '19700203' };
    assert.deepEqual(parseQidoParams(ok, studies).match, ok);
    for (const universal of ['', '*']) assert.equal(parseQidoParams({ StudyDate: universal }, studies).match.StudyDate, universal);
    for (const wildcard of ['2020*', '202001??', '10*']) assert.equal(parseQidoParams({ StudyDate: wildcard }, studies).match.StudyDate, wildcard);
  });

  it('refuses invalid dates, times and ranges with 400 naming the parameter (PS3.18 8.3.4)', () => {
    const cases: Record<string, string>[] = [
      { StudyDate: 'garbage' },
      { StudyDate: '20200231' },
      { StudyDate: '2020-' },
      { StudyDate: '-' },
      { StudyDate: '20200101-20200132' },
      { StudyDate: '20200101-20200102-20200103' },
      { StudyDate: '2020' },
      { StudyDate: 'x*' },
      { StudyDate: '2020*-2021' },
      { StudyTime: '2500' },
      { '00080030': '10:30' },
      { AcquisitionDateTime: '20201301' },
      { 'ReferencedStudySequence.StudyDate': '2020' },
    ];
    for (const params of cases) {
      const [name] = Object.keys(params);
      assert.throws(() => parseQidoParams(params, studies), badRequest(new RegExp(`^${name.replace('.', '\\.')} must be`)), JSON.stringify(params));
    }
  });
});
