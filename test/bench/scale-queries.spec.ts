// The scale phase's queries ask for values its archive holds (scale-archive.ts), and its
// percentiles are the usual nearest-rank ones.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { patientOf, SCALE_SHAPE, studyOf } from './scale-archive';
import { percentile, scaleQueries } from './scale-queries';

describe('scale phase queries', () => {
  const studies = Array.from({ length: SCALE_SHAPE.studies }, (_, k) => studyOf(k));
  const queries = Object.fromEntries(scaleQueries(SCALE_SHAPE).map((q) => [q.name, q]));

  it('gives every study its own accession number and spreads patients over several studies', () => {
    assert.equal(new Set(studies.map((s) => s.accession)).size, SCALE_SHAPE.studies);
    assert.equal(new Set(studies.map((s) => s.patient.id)).size, SCALE_SHAPE.patients);
  });

  it('asks for patient name prefixes that match a few dozen patients, not one and not thousands', () => {
    const patients = Array.from({ length: SCALE_SHAPE.patients }, (_, p) => patientOf(p));
    for (let i = 0; i < 20; i++) {
      const prefix = queries['PatientName prefix'].keys(i).PatientName.replace('*', '');
      const matching = patients.filter((p) => p.name.startsWith(prefix)).length;
      assert.ok(matching >= 10 && matching <= 100, `${prefix}* matches ${matching} patients`);
    }
  });

  it('asks for a week and a modality that some studies have', () => {
    for (let i = 0; i < 20; i++) {
      const { StudyDate, ModalitiesInStudy } = queries['StudyDate week + modality'].keys(i);
      const [from, to] = StudyDate.split('-');
      assert.ok(studies.some((s) => s.date >= from && s.date <= to && s.modality === ModalitiesInStudy), StudyDate);
    }
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 95), 95);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile([7], 99), 7);
  });
});
