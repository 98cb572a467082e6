import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requests, responses } from 'dcmjs-dimse';
import { DicomAttributes, DimseProviders } from './dimse-providers';
import { DimseStatus } from '@pacs/errors';
import { ProviderDispatch } from './provider-dispatch';

const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';

function dispatchOf(matches: DicomAttributes[]) {
  const providers = new DimseProviders();
  providers.registerFind({
    sopClassUids: [STUDY_ROOT_FIND],
    service: 'find',
    async *find() {
      yield* matches;
    },
  });
  const pending: responses.CFindResponse[] = [];
  const logged: unknown[] = [];
  const logger = { warn: (m: unknown) => logged.push(m), error: (m: unknown) => logged.push(m) };
  const dispatch = new ProviderDispatch(providers, { mayUse: () => true }, () => ({ callingAe: 'FINDSCU', remoteAddress: undefined }), (_, r) => pending.push(r), logger);
  return { dispatch, pending, logged };
}

describe('ProviderDispatch C-FIND: matches as the SCU receives them', () => {
  const request = () => requests.CFindRequest.createStudyFindRequest({ StudyInstanceUID: '', StudyDate: '' });

  it('sends a match with values longer than their VR allows as they are', async () => {
    const { dispatch, pending } = dispatchOf([{ QueryRetrieveLevel: 'STUDY', StudyDate: '1997.04.24', BodyPartExamined: 'ABDOMENPELVISCHEST' }]);
    const final = await dispatch.find(request());
    assert.equal(final.getStatus(), DimseStatus.Success);
    assert.equal(pending.length, 1);
    assert.match(pending[0].getDataset()?.getDenaturalizedDataset().toString('latin1') ?? '', /1997\.04\.24.*ABDOMENPELVISCHEST/s);
  });

  it('ends with a failure status, not a dropped association, when a match cannot be encoded', async () => {
    const { dispatch, pending, logged } = dispatchOf([{ QueryRetrieveLevel: 'STUDY', StudyDate: '19970424' }, { Rows: 'abc' }]);
    const final = await dispatch.find(request());
    assert.equal(final.getStatus(), DimseStatus.UnableToProcess);
    assert.equal(pending.length, 1, 'the encodable match was sent, the other was not');
    assert.equal(logged.length, 1);
  });
});
