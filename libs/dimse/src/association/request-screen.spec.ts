import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandField } from '../wire/command-set';
import { DimseStatus } from '@pacs/errors';
import { ReceivedRequest, requestsServedOn, screenRequest } from './request-screen';

const VERIFICATION = '1.2.840.10008.1.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const STUDY_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const STUDY_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const PATIENT_GET = '1.2.840.10008.5.1.4.1.2.1.3';
const MPPS = '1.2.840.10008.3.1.2.3.3';
const COMMITMENT = '1.2.840.10008.1.20.1';

const providers = {
  findProvider: (uid: string) => (uid === STUDY_FIND ? ({} as never) : undefined),
  normalizedProvider: (uid: string) => (uid === MPPS ? ({} as never) : undefined),
};
const on = (abstractSyntax: string) => ({ context: { id: 3, abstractSyntax }, served: requestsServedOn(abstractSyntax, providers) });
const screen = (request: ReceivedRequest, abstractSyntax: string) => {
  const { context, served } = on(abstractSyntax);
  return screenRequest(request, context, served);
};

const store = (elements: Record<string, unknown> = {}): ReceivedRequest => ({
  field: CommandField.CStore,
  elements: { AffectedSOPClassUID: CT, MessageID: 1, CommandDataSetType: 0, AffectedSOPInstanceUID: '1.2.3.4', ...elements },
});

describe('requestsServedOn: the DIMSE service group of each abstract syntax we accept', () => {
  it('serves C-ECHO on Verification, C-STORE on storage, C-FIND, C-MOVE, C-GET on their models, N-CREATE/N-SET on MPPS, N-ACTION on Storage Commitment', () => {
    assert.deepEqual(on(VERIFICATION).served, [CommandField.CEcho]);
    assert.deepEqual(on(CT).served, [CommandField.CStore]);
    assert.deepEqual(on(STUDY_FIND).served, [CommandField.CFind]);
    assert.deepEqual(on(STUDY_MOVE).served, [CommandField.CMove]);
    assert.deepEqual(on(PATIENT_GET).served, [CommandField.CGet]);
    assert.deepEqual(on(MPPS).served, [CommandField.NCreate, CommandField.NSet]);
    assert.deepEqual(on(COMMITMENT).served, [CommandField.NAction]);
    assert.deepEqual(on('1.2.3.4').served, []);
  });
});

describe('screenRequest (PS3.7 9.3, 10.3, C.5)', () => {
  it('serves a well-formed request on its own context', () => {
    assert.equal(screen(store(), CT), undefined);
    assert.equal(screen({ field: CommandField.CEcho, elements: { AffectedSOPClassUID: VERIFICATION, MessageID: 2, CommandDataSetType: 0x0101 } }, VERIFICATION), undefined);
  });

  it('answers a command outside the context\'s service group with Unrecognized operation (0211H)', () => {
    for (const [field, syntax] of [[CommandField.CStore, VERIFICATION], [CommandField.NGet, MPPS], [CommandField.NDelete, MPPS], [CommandField.NEventReport, COMMITMENT], [0x0055, VERIFICATION], [CommandField.CFind, CT]] as const) {
      const refusal = screen({ field, elements: { AffectedSOPClassUID: syntax, MessageID: 3, CommandDataSetType: 0x0101 } }, syntax);
      assert.equal(refusal?.status, DimseStatus.UnrecognizedOperation, `0x${field.toString(16)} on ${syntax}`);
      assert.match(refusal?.comment ?? '', /is not served on presentation context 3$/);
    }
  });

  it('names a missing or unusable element: Cxxx for C-STORE, Mistyped argument for C-ECHO and DIMSE-N', () => {
    assert.deepEqual(screen(store({ AffectedSOPInstanceUID: undefined }), CT), { status: 0xc000, comment: 'C-STORE-RQ without Affected SOP Instance UID (0000,1000)' });
    assert.deepEqual(screen(store({ AffectedSOPInstanceUID: '' }), CT)?.status, 0xc000);
    assert.deepEqual(screen(store({ AffectedSOPInstanceUID: '1.2.abc' }), CT), { status: 0xc000, comment: 'C-STORE-RQ: Affected SOP Instance UID (0000,1000) is no UID' });
    assert.deepEqual(screen(store({ CommandDataSetType: 0x0101 }), CT), { status: 0xc000, comment: 'C-STORE-RQ announces no data set (0000,0800)' });
    const echo = screen({ field: CommandField.CEcho, elements: { MessageID: 4, CommandDataSetType: 0x0101 } }, VERIFICATION);
    assert.deepEqual(echo, { status: DimseStatus.MistypedArgument, comment: 'C-ECHO-RQ without Affected SOP Class UID (0000,0002)' });
    const set = screen({ field: CommandField.NSet, elements: { RequestedSOPClassUID: MPPS, MessageID: 5, CommandDataSetType: 0 } }, MPPS);
    assert.deepEqual(set, { status: DimseStatus.MistypedArgument, comment: 'N-SET-RQ without Requested SOP Instance UID (0000,1001)' });
    const move = screen({ field: CommandField.CMove, elements: { AffectedSOPClassUID: STUDY_MOVE, MessageID: 6, CommandDataSetType: 0 } }, STUDY_MOVE);
    assert.deepEqual(move, { status: DimseStatus.UnableToProcess, comment: 'C-MOVE-RQ without Move Destination (0000,0600)' });
  });

  it('refuses a SOP class other than the context\'s: SOP Class not supported (DIMSE-C), No such SOP Class (DIMSE-N)', () => {
    assert.equal(screen(store({ AffectedSOPClassUID: MR }), CT)?.status, DimseStatus.SopClassNotSupported);
    const create = screen({ field: CommandField.NCreate, elements: { AffectedSOPClassUID: COMMITMENT, MessageID: 7, CommandDataSetType: 0x0101 } }, MPPS);
    assert.deepEqual(create, { status: DimseStatus.NoSuchSopClass, comment: 'SOP Class UID differs from presentation context 3' });
  });

  it('keeps the longest Error Comments within the 64 characters of LO (PS3.5 6.2)', () => {
    const action = { field: CommandField.NAction, elements: { RequestedSOPClassUID: COMMITMENT, MessageID: 8, CommandDataSetType: 0, RequestedSOPInstanceUID: '9.x' } };
    const comments = [
      screenRequest(action, { id: 255, abstractSyntax: COMMITMENT }, [CommandField.NAction])?.comment,
      screenRequest({ field: 0xabcd, elements: { MessageID: 9 } }, { id: 255, abstractSyntax: MPPS }, [])?.comment,
      screenRequest({ ...action, elements: { ...action.elements, RequestedSOPInstanceUID: '1.2' } }, { id: 255, abstractSyntax: MPPS }, [CommandField.NAction])?.comment,
    ];
    for (const comment of comments) assert.ok(comment && comment.length <= 64, comment);
  });
});
