import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requests, responses, Dataset } from 'dcmjs-dimse';
import { decodeCommandSet, encodeCommandSet } from './command-set';

type Command = { getCommandDataset(): Dataset & { getDenaturalizedCommandDataset(): Buffer } };

function bothEncodings(message: Command): [Buffer | undefined, Buffer] {
  const command = message.getCommandDataset();
  return [encodeCommandSet(command.getElements() as Record<string, unknown>), command.getDenaturalizedCommandDataset()];
}

/** What dcmjs-dimse gives for a received command set, without our decoder installed. */
function libraryParse(bytes: Buffer): Record<string, unknown> {
  const parse = (Dataset.prototype as unknown as { _fromElementsBuffer(b: Buffer, ts: string, o: unknown): Record<string, unknown> })._fromElementsBuffer;
  return parse.call(new Dataset({}), bytes, '1.2.840.10008.1.2', { ignoreErrors: true });
}

describe('command sets', () => {
  const store = () => {
    const r = new requests.CStoreRequest(new Dataset({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID: '1.2.3.45' }, '1.2.840.10008.1.2.1'));
    r.setMessageId(7);
    return r;
  };

  const cases: [string, () => unknown][] = [
    ['C-STORE-RQ', () => store()],
    [
      'C-STORE-RQ of a C-MOVE (Move Originator)',
      () => {
        const r = store();
        r.getCommandDataset().setElement('MoveOriginatorApplicationEntityTitle', 'VIEWER1');
        r.getCommandDataset().setElement('MoveOriginatorMessageID', 3 as unknown as string);
        return r;
      },
    ],
    [
      'C-STORE-RSP with an error comment',
      () => {
        const rsp = responses.CStoreResponse.fromRequest(store());
        rsp.setStatus(0xa900);
        rsp.setErrorComment('SOP class differs from the command');
        return rsp;
      },
    ],
    [
      'C-GET-RSP pending with counts',
      () => {
        const req = new requests.CGetRequest();
        req.setMessageId(65535);
        const rsp = responses.CGetResponse.fromRequest(req);
        rsp.setStatus(0xff00);
        rsp.setRemaining(99);
        rsp.setCompleted(1);
        rsp.setFailures(0);
        rsp.setWarnings(0);
        return rsp;
      },
    ],
    ['C-MOVE-RQ', () => requests.CMoveRequest.createStudyMoveRequest('STORESCP', '1.2.3.4.5')],
    ['C-FIND-RQ', () => requests.CFindRequest.createStudyFindRequest({ PatientID: 'X' })],
    ['C-ECHO-RQ', () => new requests.CEchoRequest()],
  ];
  for (const [name, make] of cases) {
    it(`writes ${name} byte for byte as dcmjs does`, () => {
      const [ours, library] = bothEncodings(make() as Command);
      assert.ok(ours);
      assert.equal(ours.toString('hex'), library.toString('hex'));
    });
    it(`reads ${name} into the same elements as dcmjs does`, () => {
      const [, bytes] = bothEncodings(make() as Command);
      const ours = decodeCommandSet(bytes);
      assert.ok(ours);
      assert.deepEqual(ours, libraryParse(bytes));
    });
  }

  it('reads padded values (odd-length UID, AE with spaces) as dcmjs does', () => {
    const r = store();
    r.getCommandDataset().setElement('AffectedSOPInstanceUID', '1.2.345');
    r.getCommandDataset().setElement('MoveOriginatorApplicationEntityTitle', 'CT1');
    const bytes = r.getCommandDataset().getDenaturalizedCommandDataset();
    assert.deepEqual(decodeCommandSet(bytes), libraryParse(bytes));
  });

  it('leaves data sets, unknown command elements and damaged command sets to the library', () => {
    const dataset = new Dataset({ PatientID: 'X' }, '1.2.840.10008.1.2').getDenaturalizedDataset();
    assert.equal(decodeCommandSet(dataset), undefined);
    const bytes = store().getCommandDataset().getDenaturalizedCommandDataset();
    assert.equal(decodeCommandSet(bytes.subarray(0, bytes.length - 3)), undefined);
    const unknown = Buffer.from(bytes);
    unknown.writeUInt16LE(0x0901, 12); // OffendingElement (AT) in place of the first element
    assert.equal(decodeCommandSet(unknown), undefined);
  });

  it('leaves elements it does not know, and non-ASCII text, to the library', () => {
    assert.equal(encodeCommandSet({ CommandField: 1, OffendingElement: ['00100010'] }), undefined);
    assert.equal(encodeCommandSet({ CommandField: 1, ErrorComment: 'Müller' }), undefined);
    assert.equal(encodeCommandSet({ CommandField: 0x10000 }), undefined);
  });
});
