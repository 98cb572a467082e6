import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { corkUntilTickEnd, writePData } from './pdata-writer';

/** Collects what would go to the socket, and whether writes were corked at the time. */
function sink() {
  const chunks: Buffer[] = [];
  let corked = 0;
  let uncorkedWrites = 0;
  return {
    chunks,
    get uncorkedWrites() {
      return uncorkedWrites;
    },
    cork: () => void corked++,
    uncork: () => void corked--,
    write: (chunk: Buffer) => {
      if (corked === 0) uncorkedWrites++;
      chunks.push(chunk);
      return true;
    },
  };
}

/** Splits a byte stream into P-DATA-TF PDUs (PS3.8 9.3.5) of one PDV each. */
function pdus(bytes: Buffer) {
  const out: { pduLength: number; contextId: number; control: number; data: Buffer }[] = [];
  for (let at = 0; at < bytes.length; ) {
    assert.equal(bytes[at], 0x04);
    const pduLength = bytes.readUInt32BE(at + 2);
    const itemLength = bytes.readUInt32BE(at + 6);
    assert.equal(itemLength, pduLength - 4);
    out.push({ pduLength, contextId: bytes[at + 10], control: bytes[at + 11], data: bytes.subarray(at + 12, at + 6 + pduLength) });
    at += 6 + pduLength;
  }
  return out;
}

describe('writePData', () => {
  it('splits a data set into PDUs within the peer maximum, the last one flagged, bytes unchanged', () => {
    const data = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i % 251));
    const s = sink();
    const written = writePData(s, 5, data, false, 16_384);
    const all = Buffer.concat(s.chunks);
    assert.equal(written, all.length);
    const parts = pdus(all);
    assert.deepEqual(
      parts.map((p) => [p.pduLength, p.contextId, p.control]),
      [
        [16_384, 5, 0x00],
        [16_384, 5, 0x00],
        [40_000 - 2 * 16_378 + 6, 5, 0x02],
      ],
    );
    assert.ok(Buffer.concat(parts.map((p) => p.data)).equals(data));
    assert.equal(s.uncorkedWrites, 0);
  });

  it('sends a command set as one last command fragment, and an empty data set as one empty last fragment', () => {
    const s = sink();
    writePData(s, 1, Buffer.from('0000000004000000', 'hex'), true, 0);
    writePData(s, 3, Buffer.alloc(0), false, 16_384);
    assert.deepEqual(
      pdus(Buffer.concat(s.chunks)).map((p) => [p.contextId, p.control, p.data.length]),
      [
        [1, 0x03, 8],
        [3, 0x02, 0],
      ],
    );
  });

  it('shares the data set bytes instead of copying them', () => {
    const data = Buffer.alloc(100_000, 7);
    const s = sink();
    writePData(s, 1, data, false, 32_768);
    const views = s.chunks.filter((c) => c.length > 12);
    assert.ok(views.every((c) => c.buffer === data.buffer));
  });
});

describe('corkUntilTickEnd', () => {
  it('sends what is written in one tick, promise jobs included, in one go after it', async () => {
    const corks: string[] = [];
    const socket = { cork: () => void corks.push('cork'), uncork: () => void corks.push('uncork'), write: () => true };
    corkUntilTickEnd(socket);
    await Promise.resolve();
    corkUntilTickEnd(socket);
    assert.deepEqual(corks, ['cork'], 'corked once, not yet sent');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(corks, ['cork', 'uncork']);
    corkUntilTickEnd(socket);
    assert.deepEqual(corks, ['cork', 'uncork', 'cork'], 'a later tick corks again');
    await new Promise((resolve) => setImmediate(resolve));
  });
});
