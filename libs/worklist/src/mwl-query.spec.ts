import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DimseFailure } from '@pacs/dimse';
import { mwlCondition } from './mwl-query';
import { mwlResponse } from './mwl-response';
import { itemStatusOf } from './worklist-mapping';
import { isDicomDate, isDicomTime, isPersonName } from './dicom-validators';
import type { StepMatch } from './worklist.repository';

describe('MWL identifier to SQL (PS3.4 K.6.1.2, C.2.2.2)', () => {
  it('offers only scheduled or started steps of items that are not cancelled or completed', () => {
    const c = mwlCondition({});
    assert.match(c.sql, /s\.status IN \('SCHEDULED', 'IN PROGRESS'\)/);
    assert.match(c.sql, /i\.status NOT IN \('CANCELLED', 'COMPLETED'\)/);
    assert.deepEqual(c.params, []);
  });

  it('matches sequence keys on the step and top-level keys on the item; PN wildcards ignore case', () => {
    const c = mwlCondition({
      PatientName: [{ Alphabetic: 'doe^j*' }],
      ScheduledProcedureStepSequence: [{ ScheduledStationAETitle: 'CT1', Modality: 'CT', ScheduledProcedureStepStartDate: '20261124-20261125 ' }],
    });
    assert.match(c.sql, /s\.station_ae = \$1 AND s\.modality = \$2/);
    assert.match(c.sql, /s\.start_date >= \$3 AND s\.start_date <= \$4/);
    assert.match(c.sql, /upper\(i\.patient_name\) LIKE \$5/);
    assert.deepEqual(c.params, ['CT1', 'CT', '20261124', '20261125', 'DOE^J%']);
  });

  it('combines date and time into one date-time range when both are given (C.2.2.2.5.1)', () => {
    const c = mwlCondition({ ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '20261124-20261125', ScheduledProcedureStepStartTime: '0930-0830' }] });
    assert.deepEqual(c.params, ['20261124093000', '20261125083099']);
  });

  it('refuses a malformed range and a sequence of two items with 0xA900', () => {
    for (const identifier of [
      { ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '2026-11-24' }] },
      { ScheduledProcedureStepSequence: [{}, {}] },
    ]) {
      assert.throws(() => mwlCondition(identifier), (err) => err instanceof DimseFailure && err.status === 0xa900);
    }
  });
});

describe('MWL response', () => {
  const match = {
    item: { patientName: 'DOE^JANE', patientId: 'P1', patientIssuer: '', birthDate: null, sex: 'F', accessionNumber: 'A1', requestedProcedureId: 'RP1', requestedProcedureDescription: null, requestedProcedureCode: null, referringPhysician: null, studyUid: '1.2.3' },
    step: { stationAe: 'CT1', stationName: null, startDate: '20261124', startTime: '0900', modality: 'CT', performingPhysician: null, description: 'X', stepId: 'SPS1', status: 'SCHEDULED', protocolCodes: [] },
  } as unknown as StepMatch;

  it('returns the requested keys only, unknown ones empty, the whole step for an empty sequence', () => {
    const out = mwlResponse({ PatientName: [], PatientSex: '', OtherPatientIDs: '', ScheduledProcedureStepSequence: [] }, match);
    assert.deepEqual(Object.keys(out).sort(), ['OtherPatientIDs', 'PatientName', 'PatientSex', 'ScheduledProcedureStepSequence', 'SpecificCharacterSet']);
    assert.deepEqual(out.PatientName, [{ Alphabetic: 'DOE^JANE' }]);
    assert.equal(out.OtherPatientIDs, '');
    assert.equal((out.ScheduledProcedureStepSequence as Record<string, unknown>[])[0].ScheduledProcedureStepID, 'SPS1');
  });
});

describe('worklist rules', () => {
  it('derives the item status from its steps', () => {
    assert.equal(itemStatusOf(['SCHEDULED', 'SCHEDULED']), 'SCHEDULED');
    assert.equal(itemStatusOf(['IN PROGRESS', 'SCHEDULED']), 'IN PROGRESS');
    assert.equal(itemStatusOf(['COMPLETED', 'SCHEDULED']), 'IN PROGRESS');
    assert.equal(itemStatusOf(['COMPLETED', 'COMPLETED']), 'COMPLETED');
    assert.equal(itemStatusOf(['COMPLETED', 'DISCONTINUED']), 'DISCONTINUED');
  });

  it('validates DICOM dates, times and person names (PS3.5 6.2)', () => {
    assert.equal(isDicomDate('20240229'), true);
    assert.equal(isDicomDate('20230229'), false);
    assert.equal(isDicomTime('0900'), true);
    assert.equal(isDicomTime('090000.123'), true);
    assert.equal(isDicomTime('2400'), false);
    assert.equal(isPersonName('DOE^JANE'), true);
    assert.equal(isPersonName('DOE=JANE'), false);
    assert.equal(isPersonName(' '), false);
  });
});
