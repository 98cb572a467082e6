import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySource } from './byte-source';
import { locateBulkValue, locateFrames, openInstance, readRanges } from './pixel-frames';
import { TransferSyntax } from './transfer-syntax';
import { buildInstance, InstanceSpec } from '../../../test/support/generator';

/** A 4×4 16-bit instance of `frames` frames in `transferSyntaxUid`. */
const instance = (transferSyntaxUid: string, frames: number, more: InstanceSpec) =>
  buildInstance({ transferSyntaxUid, rows: 4, extra: { NumberOfFrames: String(frames) }, ...more }).bytes;

/** Two 4×4 16-bit frames: frame 1 counts up from 0, frame 2 from 100. */
function twoFrames(): Buffer {
  const px = Buffer.alloc(2 * 16 * 2);
  for (let i = 0; i < 32; i++) px.writeUInt16LE(i < 16 ? i : 100 + i - 16, i * 2);
  return px;
}

async function frames(bytes: Buffer, ts: string): Promise<Buffer[]> {
  const opened = await openInstance(new MemorySource(bytes), ts);
  const layout = await locateFrames(opened);
  assert.ok(layout);
  return Promise.all(layout.frames.map((ranges) => readRanges(opened.source, ranges, layout.swapWidth)));
}

describe('Pixel Data frames of a stored Part 10 file (PS3.5 8.2, A.4)', () => {
  const px = twoFrames();

  for (const ts of [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.DeflatedExplicitVRLittleEndian]) {
    it(`cuts native multi-frame data into Rows×Columns×Samples×Bits/8 frames (${ts})`, async () => {
      const bytes = instance(ts, 2, { pixelData: px });
      assert.deepEqual(await frames(bytes, ts), [px.subarray(0, 32), px.subarray(32)]);
    });
  }

  it('returns big endian 16-bit frames in little endian byte order', async () => {
    // The generator writes given Pixel Data as it is, so the stored words are the big endian ones.
    const stored = Buffer.from(px).swap16();
    const bytes = instance(TransferSyntax.ExplicitVRBigEndian, 2, { pixelData: stored });
    assert.deepEqual(await frames(bytes, TransferSyntax.ExplicitVRBigEndian), [px.subarray(0, 32), px.subarray(32)]);
  });

  it('gives each encapsulated frame its fragment bytes exactly as stored', async () => {
    const fragments = [Buffer.from([0xff, 0xd8, 1, 2]), Buffer.from([0xff, 0xd8, 3, 4, 5, 6])];
    const bytes = instance(TransferSyntax.JPEGBaseline8Bit, 2, { fragments });
    assert.deepEqual(await frames(bytes, TransferSyntax.JPEGBaseline8Bit), fragments);
  });

  it('finds other top-level values and reports an instance without Pixel Data', async () => {
    const bytes = buildInstance({ rows: 0 }).bytes;
    const opened = await openInstance(new MemorySource(bytes), TransferSyntax.ExplicitVRLittleEndian);
    assert.equal(await locateFrames(opened), undefined);
    const modality = await locateBulkValue(opened, '00080060');
    assert.ok(modality);
    assert.equal((await readRanges(opened.source, modality.ranges)).toString('latin1'), 'CT');
    assert.equal(await locateBulkValue(opened, '00091010'), undefined);
  });

  it('refuses native data shorter than its frames need', async () => {
    const bytes = instance(TransferSyntax.ExplicitVRLittleEndian, 3, { pixelData: px });
    const opened = await openInstance(new MemorySource(bytes), TransferSyntax.ExplicitVRLittleEndian);
    await assert.rejects(locateFrames(opened), /3 frame\(s\) need 96/);
  });
});
