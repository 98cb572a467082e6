import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DicomJson, getNumber, getPersonName, getString, getStrings } from './dicom-json';

const ds: DicomJson = {
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE', Ideographic: '山田^太郎' }] },
  '00080061': { vr: 'CS', Value: ['CT', null, ' MR '] },
  '00200013': { vr: 'IS', Value: [7] },
  '00180050': { vr: 'DS', Value: [' 1.25 '] },
  '00080020': { vr: 'DA' },
  '00100020': { vr: 'LO', Value: ['  PID-1 '] },
};

describe('DICOM JSON getters', () => {
  it('getString returns the first value trimmed, undefined when absent or empty', () => {
    assert.equal(getString(ds, '00100020'), 'PID-1');
    assert.equal(getString(ds, '00200013'), '7');
    assert.equal(getString(ds, '00080020'), undefined);
    assert.equal(getString(ds, '0020000D'), undefined);
  });

  it('getStrings returns the non-empty values', () => {
    assert.deepEqual(getStrings(ds, '00080061'), ['CT', 'MR']);
    assert.deepEqual(getStrings(ds, '00080020'), []);
  });

  it('getNumber reads numbers and IS/DS strings', () => {
    assert.equal(getNumber(ds, '00200013'), 7);
    assert.equal(getNumber(ds, '00180050'), 1.25);
    assert.equal(getNumber(ds, '00100020'), undefined);
    assert.equal(getNumber(ds, '00080020'), undefined);
  });

  it('getPersonName returns the Alphabetic group', () => {
    assert.equal(getPersonName(ds, '00100010'), 'DOE^JANE');
    assert.equal(getString(ds, '00100010'), 'DOE^JANE');
    assert.equal(getPersonName({ '00100010': { vr: 'PN', Value: [{ Ideographic: 'x' }] } }, '00100010'), undefined);
  });
});
