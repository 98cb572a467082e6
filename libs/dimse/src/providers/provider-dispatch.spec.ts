import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requests, responses } from 'dcmjs-dimse';
import type { DicomJson } from '@pacs/dicom';
import { DimseProviders } from './dimse-providers';
import { DimseStatus } from '@pacs/errors';
import { ProviderDispatch, RESPONSES_PER_TURN } from './provider-dispatch';

const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';

function dispatchOf(matches: DicomJson[]) {
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
    const { dispatch, pending } = dispatchOf([{ '00080020': { vr: 'DA', Value: ['1997.04.24'] }, '00080052': { vr: 'CS', Value: ['STUDY'] }, '00180015': { vr: 'CS', Value: ['ABDOMENPELVISCHEST'] } }]);
    const final = await dispatch.find(request());
    assert.equal(final.getStatus(), DimseStatus.Success);
    assert.equal(pending.length, 1);
    assert.match(pending[0].getDataset()?.getDenaturalizedDataset().toString('latin1') ?? '', /1997\.04\.24.*ABDOMENPELVISCHEST/s);
  });

  it('ends with a failure status, not a dropped association, when a match cannot be encoded', async () => {
    const { dispatch, pending, logged } = dispatchOf([{ '00080020': { vr: 'DA', Value: ['19970424'] } }, { '00280010': { vr: 'US', Value: ['abc'] } }]);
    const final = await dispatch.find(request());
    assert.equal(final.getStatus(), DimseStatus.UnableToProcess);
    assert.equal(pending.length, 1, 'the encodable match was sent, the other was not');
    assert.equal(logged.length, 1);
  });

  it('stops at the C-CANCEL read between two turns of responses, with a final Cancel (PS3.7 9.3.2.3)', async () => {
    const matches = Array.from({ length: 3 * RESPONSES_PER_TURN }, (_, i) => ({ '00100020': { vr: 'LO', Value: [`P${i}`] } }));
    const { dispatch, pending } = dispatchOf(matches);
    const find = request();
    const originalPush = pending.push.bind(pending);
    // The C-CANCEL arrives on the socket while the first responses are being sent.
    pending.push = (...r) => {
      if (pending.length === 0) setImmediate(() => dispatch.cancel(find.getMessageId()));
      return originalPush(...r);
    };
    const final = await dispatch.find(find);
    assert.equal(final.getStatus(), DimseStatus.Cancel);
    assert.equal(pending.length, RESPONSES_PER_TURN, 'the responses of the first turn, no more');
  });
});
