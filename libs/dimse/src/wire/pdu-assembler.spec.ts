import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PduAssembler } from './pdu-assembler';

const pdu = (type: number, body: number, fill: number) => {
  const b = Buffer.alloc(6 + body, fill);
  b[0] = type;
  b[1] = 0;
  b.writeUInt32BE(body, 2);
  return b;
};

const LIMIT = 70_006;
const noRefusal = () => assert.fail('nothing here is over its limit');

describe('PduAssembler', () => {
  const stream = Buffer.concat([pdu(0x04, 70_000, 1), pdu(0x04, 10, 2), pdu(0x05, 4, 3), pdu(0x04, 3, 4)]);

  for (const size of [1, 5, 6, 7, 1000, 65_536, stream.length]) {
    it(`hands on each whole PDU, in order and intact, from chunks of ${size} bytes`, () => {
      const got: Buffer[] = [];
      const assembler = new PduAssembler((p) => got.push(Buffer.from(p)), LIMIT, noRefusal);
      for (let at = 0; at < stream.length; at += size) assembler.push(stream.subarray(at, at + size));
      assert.deepEqual(
        got.map((p) => [p[0], p.length]),
        [
          [0x04, 70_006],
          [0x04, 16],
          [0x05, 10],
          [0x04, 9],
        ],
      );
      assert.ok(Buffer.concat(got).equals(stream));
    });
  }

  it('holds a PDU back until its last byte has come', () => {
    const got: Buffer[] = [];
    const assembler = new PduAssembler((p) => got.push(p), LIMIT, noRefusal);
    const one = pdu(0x04, 100, 9);
    assembler.push(one.subarray(0, 50));
    assert.equal(got.length, 0);
    assembler.push(one.subarray(50));
    assert.equal(got.length, 1);
  });

  it('refuses a PDU longer than the limit as soon as its header is in, and takes in nothing after it', () => {
    const got: Buffer[] = [];
    const refusals: number[][] = [];
    const assembler = new PduAssembler((p) => got.push(p), LIMIT, (type, declared, limit) => refusals.push([type, declared, limit]));
    const header = Buffer.from([0x04, 0, 0xff, 0xff, 0xff, 0xf0]);
    assembler.push(Buffer.concat([pdu(0x04, 3, 1), header.subarray(0, 4)]));
    assert.deepEqual(refusals, []);
    assembler.push(header.subarray(4));
    assert.deepEqual(refusals, [[0x04, 6 + 0xfffffff0, LIMIT]]);
    assembler.push(pdu(0x05, 4, 3));
    assert.deepEqual(got.map((p) => p[0]), [0x04], 'the PDU before it, nothing after');
    assert.equal(refusals.length, 1);
  });

  it('takes a PDU of exactly the limit', () => {
    const got: Buffer[] = [];
    new PduAssembler((p) => got.push(p), LIMIT, noRefusal).push(pdu(0x01, LIMIT - 6, 0));
    assert.equal(got.length, 1);
  });
});
