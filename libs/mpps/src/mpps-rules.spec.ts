import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DimseFailure } from '@pacs/dimse';
import { applySet, referencedSopUids, scheduledStep, validateCreate } from './mpps-rules';

const created = () => ({
  ScheduledStepAttributesSequence: [{ StudyInstanceUID: '1.2.3', ScheduledProcedureStepID: 'SPS1', _vrMap: {} }],
  PerformedProcedureStepID: 'PPS1',
  PerformedStationAETitle: 'CT1',
  PerformedProcedureStepStartDate: '20261124',
  PerformedProcedureStepStartTime: '0905',
  PerformedProcedureStepStatus: 'IN PROGRESS',
  Modality: 'CT',
  _vrMap: {},
});

function status(run: () => unknown): number {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof DimseFailure, String(err));
    return err.status;
  }
  return 0;
}

describe('MPPS rules (PS3.4 F.7.2)', () => {
  it('accepts a complete N-CREATE and keeps the study, the scheduled step and the data set without dcmjs bookkeeping', () => {
    const step = validateCreate(created());
    assert.equal(step.studyUid, '1.2.3');
    assert.equal(step.scheduledStepId, 'SPS1');
    assert.equal(step.accessionNumber, undefined, 'an unscheduled step has no accession');
    assert.equal('_vrMap' in step.attributes, false);
    assert.equal('_vrMap' in (step.attributes.ScheduledStepAttributesSequence as object[])[0], false);
  });

  it('answers a missing Type 1 attribute 0x0120, an empty one 0x0121, a wrong status or a bad study UID 0x0106', () => {
    const without = created() as Record<string, unknown>;
    delete without.Modality;
    assert.equal(status(() => validateCreate(without)), 0x0120);
    assert.equal(status(() => validateCreate({ ...created(), PerformedStationAETitle: '' })), 0x0121);
    assert.equal(status(() => validateCreate({ ...created(), PerformedProcedureStepStatus: 'COMPLETED' })), 0x0106);
    assert.equal(status(() => validateCreate({ ...created(), ScheduledStepAttributesSequence: [{ StudyInstanceUID: '1.02' }] })), 0x0106);
    assert.equal(status(() => validateCreate({ ...created(), ScheduledStepAttributesSequence: [] })), 0x0121);
  });

  it('reads the scheduled step an N-CREATE names: study, Scheduled Procedure Step ID and accession (empty ones absent)', () => {
    const attrs = created();
    attrs.ScheduledStepAttributesSequence[0] = { ...attrs.ScheduledStepAttributesSequence[0], AccessionNumber: 'A1 ' } as never;
    assert.deepEqual(scheduledStep(validateCreate(attrs).attributes), { studyUid: '1.2.3', scheduledStepId: 'SPS1', accessionNumber: 'A1' });
    assert.deepEqual(scheduledStep({ ScheduledStepAttributesSequence: [{ StudyInstanceUID: '1.2.3', ScheduledProcedureStepID: '', AccessionNumber: '' }] }), {
      studyUid: '1.2.3',
      scheduledStepId: undefined,
      accessionNumber: undefined,
    });
  });

  it('refuses any N-SET once the step is COMPLETED or DISCONTINUED with 0xC310', () => {
    for (const s of ['COMPLETED', 'DISCONTINUED']) {
      assert.equal(status(() => applySet({ status: s, attributes: created() }, { PerformedProcedureStepStatus: 'IN PROGRESS' })), 0xc310);
    }
  });

  it('finishes only with an end date and time (0x0121) and only to a defined status (0x0106)', () => {
    const current = { status: 'IN PROGRESS', attributes: validateCreate(created()).attributes };
    assert.equal(status(() => applySet(current, { PerformedProcedureStepStatus: 'COMPLETED' })), 0x0121);
    assert.equal(status(() => applySet(current, { PerformedProcedureStepStatus: 'DONE' })), 0x0106);
    assert.equal(status(() => applySet(current, { Modality: 'MR' })), 0x0106);
    const done = applySet(current, { PerformedProcedureStepStatus: 'COMPLETED', PerformedProcedureStepEndDate: '20261124', PerformedProcedureStepEndTime: '0920' });
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.attributes.PerformedProcedureStepID, 'PPS1', 'N-SET merges into the created data set');
  });

  it('collects the referenced images and non-image instances of every performed series, once each', () => {
    const uids = referencedSopUids({
      PerformedSeriesSequence: [
        { ReferencedImageSequence: [{ ReferencedSOPInstanceUID: '1.1' }, { ReferencedSOPInstanceUID: '1.2' }] },
        { ReferencedNonImageCompositeSOPInstanceSequence: [{ ReferencedSOPInstanceUID: '1.3' }], ReferencedImageSequence: [{ ReferencedSOPInstanceUID: '1.1' }] },
      ],
    });
    assert.deepEqual(uids, ['1.1', '1.2', '1.3']);
  });
});
