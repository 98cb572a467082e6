import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commandSet, pData, pDataTf, pdv } from '../../../../test/support/raw-pdu';
import { NegotiatedContexts, PduGuard, PduVerdict } from './pdu-guard';

const C_ECHO = 0x0030;
const C_FIND = 0x0020;
const C_STORE = 0x0001;
/** A request command set: Command Field, Message ID, Command Data Set Type (0101H: none). */
const request = (field: number, withDataSet = true) => commandSet({ 0x0100: field, 0x0110: 1, 0x0800: withDataSet ? 0 : 0x0101 });

const limits = { commandBytes: 64, datasetBytes: 100 };
/** Context 1 accepted, context 3 rejected (abstract syntax not supported). */
const negotiated: NegotiatedContexts = {
  getPresentationContexts: () => [
    { id: 1, context: { getResult: () => 0 } },
    { id: 3, context: { getResult: () => 3 } },
    { id: 5, context: { getResult: () => 0 } },
  ],
};
const guarded = () => new PduGuard(() => negotiated, limits);

function refusal(verdict: PduVerdict): { source: number; reason: number; why: string } {
  assert.equal(typeof verdict, 'object', `expected a refusal, got ${String(verdict)}`);
  return verdict as { source: number; reason: number; why: string };
}

describe('PduGuard', () => {
  it('delivers a C-FIND identifier up to its limit, and refuses one past it', () => {
    const guard = guarded();
    assert.equal(guard.inspect(pDataTf(request(C_FIND), true, true)), 'deliver');
    assert.equal(guard.inspect(pDataTf(Buffer.alloc(60), false, false)), 'deliver');
    assert.equal(guard.inspect(pDataTf(Buffer.alloc(40), false, true)), 'deliver', 'exactly the limit');
    assert.equal(guard.inspect(pDataTf(request(C_FIND), true, true)), 'deliver');
    assert.equal(guard.inspect(pDataTf(Buffer.alloc(60), false, false)), 'deliver');
    const tooLarge = refusal(guard.inspect(pDataTf(Buffer.alloc(41), false, false)));
    assert.equal(tooLarge.why, 'a data set of more than 100 bytes with command 0x0020');
    assert.deepEqual([tooLarge.source, tooLarge.reason], [2, 6]);
  });

  it('leaves C-STORE data sets to the store path, whatever their size', () => {
    const guard = guarded();
    guard.inspect(pDataTf(request(C_STORE), true, true));
    for (let i = 0; i < 10; i++) assert.equal(guard.inspect(pDataTf(Buffer.alloc(90), false, false)), 'deliver');
  });

  it('stops a command set that never ends, and reads one split over fragments', () => {
    const guard = guarded();
    const command = request(C_FIND);
    assert.equal(guard.inspect(pDataTf(command.subarray(0, 5), true, false)), 'deliver');
    assert.equal(guard.inspect(pDataTf(command.subarray(5), true, true)), 'deliver');
    assert.match(refusal(guard.inspect(pDataTf(Buffer.alloc(101), false, false))).why, /command 0x0020/);
    const endless = guarded();
    assert.equal(endless.inspect(pDataTf(Buffer.alloc(60), true, false)), 'deliver');
    assert.equal(refusal(endless.inspect(pDataTf(Buffer.alloc(5), true, false))).why, 'a command set of more than 64 bytes');
  });

  it('refuses a PDV on a context that was not accepted or never proposed (invalid PDU parameter value)', () => {
    for (const contextId of [3, 7]) {
      const refused = refusal(guarded().inspect(pDataTf(request(C_ECHO, false), true, true, contextId)));
      assert.deepEqual([refused.source, refused.reason], [2, 6]);
      assert.match(refused.why, new RegExp(`presentation context ${contextId}, which was not accepted`));
    }
  });

  it('refuses PDVs out of order (unexpected PDU parameter)', () => {
    const sequences: [Buffer[], RegExp][] = [
      [[pDataTf(Buffer.alloc(10), false, true)], /without a command announcing it/],
      [[pDataTf(request(C_ECHO, false), true, true), pDataTf(Buffer.alloc(10), false, true)], /without a command announcing it/],
      [[pDataTf(request(C_STORE), true, true), pDataTf(request(C_ECHO, false), true, true)], /where the data set of a C-STORE-RQ was announced/],
      [[pDataTf(request(C_STORE), true, true), pDataTf(Buffer.alloc(10), false, true, 5)], /on presentation context 5, its command on 1/],
      [[pDataTf(request(C_STORE).subarray(0, 8), true, false), pDataTf(request(C_STORE).subarray(8), true, true, 5)], /begun on presentation context 1 and continued on 5/],
      [[pDataTf(request(C_STORE).subarray(0, 8), true, false), pDataTf(Buffer.alloc(10), false, true)], /before its command set ended/],
    ];
    for (const [pdus, why] of sequences) {
      const guard = guarded();
      const verdicts = pdus.map((p) => guard.inspect(p));
      const refused = refusal(verdicts[verdicts.length - 1]);
      assert.deepEqual([refused.source, refused.reason], [2, 5], refused.why);
      assert.match(refused.why, why);
    }
  });

  it('refuses PDV items that do not fit their PDU, and a P-DATA-TF without any', () => {
    const long = pdv(request(C_ECHO, false), 0x03);
    long.writeUInt32BE(long.length, 0);
    const short = pdv(Buffer.alloc(0), 0x03);
    short.writeUInt32BE(1, 0);
    for (const pdu of [pData(long), pData(short), pData(), Buffer.concat([pData(pdv(request(C_ECHO, false), 0x03)), Buffer.alloc(3)])]) {
      pdu.writeUInt32BE(pdu.length - 6, 2);
      assert.deepEqual(Object.values(refusal(guarded().inspect(pdu))).slice(0, 2), [2, 6]);
    }
  });

  it('refuses, as the DIMSE user, a command set no response could name: unreadable, or missing what identifies it', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('not a command set'), /cannot be read/],
      [commandSet({ 0x0110: 1, 0x0800: 0x0101 }), /without Command Field \(0000,0100\)/],
      [commandSet({ 0x0100: C_ECHO, 0x0110: 1 }), /C-ECHO-RQ without Command Data Set Type \(0000,0800\)/],
      [commandSet({ 0x0100: C_ECHO, 0x0800: 0x0101 }), /C-ECHO-RQ without Message ID \(0000,0110\)/],
      [commandSet({ 0x0100: 0x8001, 0x0800: 0x0101, 0x0900: 0 }), /C-STORE-RSP without Message ID Being Responded To \(0000,0120\)/],
      [commandSet({ 0x0100: 0x0fff, 0x0110: 1, 0x0800: 0x0101 }), /C-CANCEL-RQ without Message ID Being Responded To/],
      [commandSet({ 0x0100: 0x8100, 0x0120: 1, 0x0800: 0x0101 }), /N-EVENT-REPORT-RSP without Status \(0000,0900\)/],
      [Buffer.concat([commandSet({ 0x0100: C_ECHO, 0x0110: 1, 0x0800: 0x0101 }), Buffer.from([8, 0, 0x60, 0, 2, 0, 0, 0, 0x43, 0x54])]), /\(0008,0060\) outside group 0000/],
    ];
    for (const [command, why] of cases) {
      const refused = refusal(guarded().inspect(pDataTf(command, true, true)));
      assert.deepEqual([refused.source, refused.reason], [0, 0]);
      assert.match(refused.why, why);
    }
    const fourByteField = Buffer.from([0, 0, 0x00, 0x01, 4, 0, 0, 0, 0x30, 0, 0, 0]);
    assert.match(refusal(guarded().inspect(pDataTf(fourByteField, true, true))).why, /\(0000,0100\) \(US\) of 4 bytes/);
  });

  it('reads only bits 0 and 1 of the message control header (PS3.8 E.2)', () => {
    const guard = guarded();
    assert.equal(guard.inspect(pData(pdv(request(C_STORE), 0xfd))), 'deliver', 'command, not last');
    assert.equal(guard.inspect(pData(pdv(Buffer.alloc(0), 0xff))), 'deliver', 'command, last');
    assert.equal(guard.inspect(pData(pdv(Buffer.alloc(10), 0xfe))), 'deliver', 'data set, last');
  });

  it('refuses a PDU of unknown type (unrecognized PDU) and association PDUs out of place (unexpected PDU)', () => {
    const pdu = (type: number) => Buffer.from([type, 0, 0, 0, 0, 2, 0, 1]);
    for (const type of [0x00, 0x08, 0xff]) assert.deepEqual(Object.values(refusal(guarded().inspect(pdu(type)))).slice(0, 2), [2, 1]);
    assert.deepEqual(Object.values(refusal(guarded().inspect(pdu(0x01)))).slice(0, 2), [2, 2], 'an A-ASSOCIATE-RQ over an association');
    let association: NegotiatedContexts;
    const acceptor = new PduGuard(() => association, limits);
    assert.equal(acceptor.inspect(pdu(0x01)), 'deliver');
    association = negotiated;
    for (const type of [0x01, 0x02, 0x03]) assert.deepEqual(Object.values(refusal(acceptor.inspect(pdu(type)))).slice(0, 2), [2, 2], `type ${type} to the acceptor`);
    const requestor = guarded();
    assert.equal(requestor.inspect(pdu(0x02)), 'deliver', 'the A-ASSOCIATE-AC answering our request');
    assert.match(refusal(requestor.inspect(pdu(0x02))).why, /A-ASSOCIATE-AC answering no A-ASSOCIATE-RQ of ours/);
  });

  it('refuses a P-DATA-TF before any association (AA-1), and ignores one after A-RELEASE-RQ (Sta13)', () => {
    const refused = refusal(new PduGuard(() => undefined, limits).inspect(pDataTf(request(C_ECHO, false), true, true)));
    assert.deepEqual([refused.source, refused.reason], [0, 0]);
    const guard = guarded();
    assert.equal(guard.inspect(Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0])), 'deliver');
    assert.equal(guard.inspect(pDataTf(request(C_ECHO, false), true, true)), 'ignore');
  });
});
