import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DicomJson } from './dicom-json';
import { normalizeDicomJson, normalizeValue } from './value-normalization';

describe('normalizeValue: what the archive keeps and answers for a received text value', () => {
  it('gives pre-3.0 dates and times their current form (PS3.5 6.2)', () => {
    assert.equal(normalizeValue('DA', '1997.04.24'), '19970424');
    assert.equal(normalizeValue('TM', '10:20:30'), '102030');
    assert.equal(normalizeValue('TM', '10:20:30.123'), '102030.123');
    assert.equal(normalizeValue('TM', '10:20'), '1020');
    assert.equal(normalizeValue('DT', '1997.04.24 10:20:30.5+0100'), '19970424102030.5+0100');
    assert.equal(normalizeValue('DT', '1997.04.24'), '19970424');
  });

  it('leaves current forms and values without a current form as they are', () => {
    for (const [vr, value] of [
      ['DA', '19970424'],
      ['TM', '102030.123456'],
      ['DT', '19970424102030'],
      ['DA', '24.04.1997'],
      ['TM', '1:2:3'],
      ['LO', 'X'.repeat(100)],
      ['PN', 'A^B^C^D^E^F^G'],
      ['LO', '1997.04.24'],
    ]) {
      assert.equal(normalizeValue(vr, value), value, `${vr} ${value}`);
    }
  });

  it('replaces a NUL inside a value with a space, in every VR', () => {
    assert.equal(normalizeValue('LO', 'AXIAL\0SOFT'), 'AXIAL SOFT');
    assert.equal(normalizeValue('CS', 'A\0\0B'), 'A  B');
    assert.equal(normalizeValue('DA', '1997.04.24\0'), '1997.04.24 ', 'padding is removed before, not here');
  });
});

describe('normalizeDicomJson: headers indexed before normalization', () => {
  it('normalizes dates, times, NULs in person names and inside sequence items', () => {
    const ds: DicomJson = {
      '00080020': { vr: 'DA', Value: ['1997.04.24', '19970425'] },
      '00080030': { vr: 'TM', Value: ['10:20:30'] },
      '00080090': { vr: 'PN', Value: [{ Alphabetic: 'DOE\0JOHN' }] },
      '00081032': { vr: 'SQ', Value: [{ '00080020': { vr: 'DA', Value: ['2001.02.03'] } }] },
      '00280010': { vr: 'US', Value: [4] },
    };
    assert.deepEqual(normalizeDicomJson(ds), {
      '00080020': { vr: 'DA', Value: ['19970424', '19970425'] },
      '00080030': { vr: 'TM', Value: ['102030'] },
      '00080090': { vr: 'PN', Value: [{ Alphabetic: 'DOE JOHN' }] },
      '00081032': { vr: 'SQ', Value: [{ '00080020': { vr: 'DA', Value: ['20010203'] } }] },
      '00280010': { vr: 'US', Value: [4] },
    });
    assert.equal(ds['00080020'].Value?.[0], '1997.04.24', 'the input is not changed');
  });

  it('returns the same object when nothing needs a change', () => {
    const ds: DicomJson = { '00080020': { vr: 'DA', Value: ['19970424'] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE' }] } };
    assert.equal(normalizeDicomJson(ds), ds);
  });
});
