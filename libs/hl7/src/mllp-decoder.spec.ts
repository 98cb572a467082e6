import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MllpDecoder, mllpFrame } from './mllp-decoder';

const frame = (text: string) => mllpFrame(Buffer.from(text));
const frames = (decoder: MllpDecoder, ...chunks: Buffer[]) =>
  chunks.flatMap((c) => decoder.push(c)).map((e) => (e.kind === 'frame' ? e.bytes.toString() : e.kind === 'oversized' ? `oversized:${e.head.length}` : `discarded:${e.bytes}`));

describe('MLLP framing', () => {
  it('reads frames split anywhere and several frames in one chunk', () => {
    const bytes = Buffer.concat([frame('MSH|one'), frame('MSH|two')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.deepEqual(frames(new MllpDecoder(1024), bytes.subarray(0, cut), bytes.subarray(cut)), ['MSH|one', 'MSH|two'], `cut at ${cut}`);
    }
  });

  it('drops garbage between frames and a half frame cut off by the next start block', () => {
    const d = new MllpDecoder(1024);
    assert.deepEqual(frames(d, Buffer.from('garbage\r\n'), Buffer.from('\x0bMSH|half'), frame('MSH|good')), ['discarded:7', 'discarded:8', 'MSH|good']);
  });

  it('drops an oversized frame as it arrives, keeps its head, and reads the next frame', () => {
    const d = new MllpDecoder(10);
    const big = frame(`MSH|${'x'.repeat(40)}`);
    assert.deepEqual(frames(d, big.subarray(0, 8), big.subarray(8, 20), big.subarray(20), frame('MSH|ok')), ['oversized:19', 'MSH|ok']);
    assert.equal(d.buffered, 0);
  });

  it('takes a frame whose end block has no CR after it', () => {
    assert.deepEqual(frames(new MllpDecoder(1024), Buffer.from('\x0bMSH|a\x1c\x0bMSH|b\x1c')), ['MSH|a', 'MSH|b']);
  });
});
