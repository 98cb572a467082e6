import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@pacs/errors';
import { differsFrom, overrideElements } from '@pacs/index';
import { correctionValues, studyValues, touchesPatient } from './correction-values';

describe('what a correction sets on the instances', () => {
  it('maps the body to tags, trims padding, keeps an emptied value as empty', () => {
    const values = correctionValues({ patient: { name: 'DOE^JANE  ', id: 'P2', birthDate: '' }, study: { accessionNumber: 'A7' } });
    assert.deepEqual(values, { '00100010': 'DOE^JANE', '00100020': 'P2', '00100030': '', '00080050': 'A7' });
    assert.ok(touchesPatient(values));
    assert.ok(!touchesPatient(correctionValues({ study: { description: 'CT HEAD' } })));
  });

  it('refuses a body that names nothing to correct', () => {
    assert.throws(() => correctionValues({ patient: {}, study: {} }), (e: unknown) => e instanceof DomainError && e.code === 'invalid-correction');
  });

  it('writes each attribute with its VR (PS3.6)', () => {
    assert.deepEqual(overrideElements({ '00100010': 'A^B', '0020000D': '1.2.3', '00080030': '101500' }), [
      { tag: '00100010', vr: 'PN', value: 'A^B' },
      { tag: '0020000D', vr: 'UI', value: '1.2.3' },
      { tag: '00080030', vr: 'TM', value: '101500' },
    ]);
    assert.throws(() => overrideElements({ '7FE00010': 'x' }));
  });

  it('tells an instance with other values from one already corrected (PN by its alphabetic group, absent as empty)', () => {
    const ds = { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] }, '00100020': { vr: 'LO', Value: ['P2'] } };
    assert.equal(differsFrom(ds, { '00100010': 'DOE^JANE', '00100020': 'P2', '00100021': '' }), false);
    assert.equal(differsFrom(ds, { '00100010': 'DOE^JOHN' }), true);
    assert.equal(differsFrom(ds, { '00100021': 'HOSP' }), true);
  });

  it('moves into a study with its UID, study and patient attributes', () => {
    const values = studyValues({
      studyUid: '1.2.3',
      patient: { id: 'P9', issuer: 'H', name: 'X^Y', birthDate: null, sex: 'F' },
      study: { accessionNumber: 'A1', description: null, referringPhysician: null, date: '20260101', time: '1200', studyId: '5' },
    });
    assert.equal(values['0020000D'], '1.2.3');
    assert.equal(values['00100020'], 'P9');
    assert.equal(values['00100030'], '');
    assert.equal(values['00080050'], 'A1');
    assert.equal(values['00081030'], '');
  });
});
