import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { data } from 'dcmjs';
import { NativeCodecs } from 'dcmjs-codecs';
import { ByteSource, locateFrames, MemorySource, openInstance } from '@pacs/dicom';
import { DomainError } from '@pacs/errors';
import { buildInstance, BuiltInstance, newUid, TransferSyntax } from '../../../test/support/generator';
import { decodedByDcmtk, frame16, JPEG_LOSSLESS, multiFrameInstance, storedFrames, toJpeg, toJpegLs } from '../../../test/support/pixel-instances';
import { PixelCodecs } from './pixel-codecs';
import { canTranscodeToExplicitLittle, decodeInstance, transcodeToExplicitLittle } from './transcode';

function read(bytes: Buffer) {
  return data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
}

const codecs = new PixelCodecs();

async function decoded(instance: BuiltInstance): Promise<{ size: number; bytes: Buffer }> {
  const result = await decodeInstance(await openInstance(new MemorySource(instance.bytes), instance.transferSyntaxUid), instance.sopInstanceUid, codecs.decode);
  const chunks: Buffer[] = [];
  for await (const chunk of result.chunks()) chunks.push(chunk);
  return { size: result.size, bytes: Buffer.concat(chunks) };
}

describe('transcoding to Explicit VR Little Endian (PS3.18 8.7.3.5)', () => {
  const ids = { studyUid: newUid(), seriesUid: newUid(), sopInstanceUid: newUid(), patientName: 'DOE^JO', rows: 16 };
  const reference = read(buildInstance({ ...ids, transferSyntaxUid: TransferSyntax.ExplicitLittleEndian }).bytes);
  const pixels = (d: ReturnType<typeof read>) => Buffer.from(d.dict['7FE00010'].Value?.[0] as ArrayBuffer);

  for (const [name, uid] of [
    ['implicit VR little endian', TransferSyntax.ImplicitLittleEndian],
    ['explicit VR big endian (pixel words swapped)', TransferSyntax.ExplicitBigEndian],
    ['deflated explicit VR little endian', TransferSyntax.DeflatedExplicitLittleEndian],
  ] as const) {
    it(`re-encodes ${name} with the same attributes and pixels`, () => {
      const out = read(transcodeToExplicitLittle(buildInstance({ ...ids, transferSyntaxUid: uid }).bytes, uid));
      assert.deepEqual(out.meta['00020010'].Value, [TransferSyntax.ExplicitLittleEndian]);
      assert.deepEqual(out.dict['00080018'].Value, [ids.sopInstanceUid]);
      assert.deepEqual(out.dict['00100010'].Value, reference.dict['00100010'].Value);
      assert.ok(pixels(out).equals(pixels(reference)), 'pixel data differs');
    });
  }

  it('offers it for native syntaxes and the compressed ones a codec decodes, not for video', () => {
    assert.equal(canTranscodeToExplicitLittle(TransferSyntax.ImplicitLittleEndian), true);
    assert.equal(canTranscodeToExplicitLittle(TransferSyntax.ExplicitBigEndian), true);
    assert.equal(canTranscodeToExplicitLittle(TransferSyntax.JpegBaseline), true);
    assert.equal(canTranscodeToExplicitLittle(TransferSyntax.RleLossless), true);
    assert.equal(canTranscodeToExplicitLittle('1.2.840.10008.1.2.4.51'), true);
    assert.equal(canTranscodeToExplicitLittle('1.2.840.10008.1.2.4.57'), true);
    assert.equal(canTranscodeToExplicitLittle('1.2.840.10008.1.2.4.100'), false);
    assert.equal(canTranscodeToExplicitLittle('1.2.840.10008.1.2.4.94'), false);
  });
});

describe('decoding compressed instances to Explicit VR Little Endian, one frame at a time', () => {
  const ramp = frame16(32, 32, (x, y) => (x + y) * 66);
  const inverse = frame16(32, 32, (x, y) => 4092 - (x + y) * 66);
  const multi = multiFrameInstance({ rows: 32, columns: 32, patientName: 'DOE^JO' }, [ramp, inverse]);

  after(() => codecs.onModuleDestroy());

  it('a multi-frame JPEG-LS and JPEG lossless instance decode to the original frames, attributes kept, length as announced', async () => {
    for (const compressed of [await toJpegLs(multi), await toJpeg(multi, JPEG_LOSSLESS)]) {
      const out = await decoded(compressed);
      assert.equal(out.bytes.length, out.size, compressed.transferSyntaxUid);
      const ds = read(out.bytes);
      assert.deepEqual(ds.meta['00020010'].Value, [TransferSyntax.ExplicitLittleEndian]);
      assert.deepEqual(ds.dict['00080018'].Value, [multi.sopInstanceUid]);
      assert.deepEqual(ds.dict['00100010'].Value, read(multi.bytes).dict['00100010'].Value);
      assert.equal(ds.dict['7FE00010'].vr, 'OW');
      assert.deepEqual(storedFrames(out.bytes), [ramp, inverse], compressed.transferSyntaxUid);
    }
    assert.equal(NativeCodecs.isInitialized(), false, 'decoded on the event loop, not in a worker');
  });

  it('JPEG baseline YBR_FULL decodes to RGB, colour by pixel, as DCMTK decodes it (PS3.5 8.2.1)', async () => {
    const jpeg = buildInstance({ rows: 24, columns: 40, transferSyntaxUid: TransferSyntax.JpegBaseline });
    const out = read((await decoded(jpeg)).bytes);
    assert.deepEqual(out.dict['00280004'].Value, ['RGB']);
    assert.deepEqual(out.dict['00280006'].Value, [0]);
    assert.equal(out.dict['7FE00010'].vr, 'OB');
    const frame = Buffer.from(out.dict['7FE00010'].Value?.[0] as ArrayBuffer);
    assert.equal(frame.length, 24 * 40 * 3);
    assert.ok(frame.equals(storedFrames((await decodedByDcmtk(jpeg)).bytes)[0]), 'differs from dcmdjpeg');
  });

  it('Encapsulated Uncompressed Explicit VR LE gives its fragments as native frames (PS3.5 A.4.11)', async () => {
    const fragmented = buildInstance({ rows: 32, columns: 32, transferSyntaxUid: '1.2.840.10008.1.2.1.98', fragments: [ramp, inverse], extra: { NumberOfFrames: 2 } });
    assert.deepEqual(storedFrames((await decoded(fragmented)).bytes), [ramp, inverse]);
  });

  it('an odd pixel count of 8 bits is padded to an even value length (PS3.5 7.1.1)', async () => {
    const rle = buildInstance({ rows: 3, columns: 3, bitsAllocated: 8, transferSyntaxUid: TransferSyntax.RleLossless });
    const native = buildInstance({ rows: 3, columns: 3, bitsAllocated: 8 });
    const out = await decoded(rle);
    assert.equal(out.bytes.length, out.size);
    const value = Buffer.from(read(out.bytes).dict['7FE00010'].Value?.[0] as ArrayBuffer);
    assert.equal(value.length, 10);
    assert.ok(value.subarray(0, 9).equals(storedFrames(native.bytes)[0].subarray(0, 9)));
  });

  it('reads and decodes a frame only when the response gets to it: one frame in memory, not the instance', async () => {
    let seed = 7;
    const noise = () => frame16(256, 256, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 20);
    const frames = [noise(), noise(), noise()];
    const jls = await toJpegLs(multiFrameInstance({ rows: 256, columns: 256 }, frames));
    const reads: [number, number][] = [];
    const memory = new MemorySource(jls.bytes);
    const source: ByteSource = { size: memory.size, read: (offset, length) => (reads.push([offset, offset + length]), memory.read(offset, length)) };
    const opened = await openInstance(source, jls.transferSyntaxUid);
    const [third] = (await locateFrames(opened))!.frames[2];
    const thirdRead = () => reads.some(([start, end]) => start <= third.offset && end >= third.offset + third.length);
    const chunks = (await decodeInstance(opened, jls.sopInstanceUid, codecs.decode)).chunks();
    await chunks.next(); // header
    assert.ok((await chunks.next()).value.equals(frames[0]));
    assert.ok((await chunks.next()).value.equals(frames[1]));
    assert.equal(thirdRead(), false, 'frame 3 was read before it was asked for');
    assert.ok((await chunks.next()).value.equals(frames[2]));
    assert.equal(thirdRead(), true);
  });

  it('an instance without Pixel Data stored in a compressed syntax is re-encoded as it is', async () => {
    const noPixels = buildInstance({ rows: 0, patientName: 'DOE^JO', transferSyntaxUid: TransferSyntax.JpegBaseline });
    const out = await decoded(noPixels);
    const ds = read(out.bytes);
    assert.deepEqual(ds.meta['00020010'].Value, [TransferSyntax.ExplicitLittleEndian]);
    assert.deepEqual(ds.dict['00100010'].Value, read(noPixels.bytes).dict['00100010'].Value);
    assert.equal(ds.dict['7FE00010'], undefined);
  });

  it('a frame no codec can decode is refused with a 406 naming the frame and the syntax', async () => {
    const broken = buildInstance({ rows: 16, columns: 16, bitsAllocated: 8, transferSyntaxUid: TransferSyntax.JpegBaseline, fragments: [Buffer.from('not a JPEG stream!')] });
    await assert.rejects(decoded(broken), (e: unknown) => e instanceof DomainError && e.code === 'not-acceptable' && /frame 1 of instance .* \(stored as 1\.2\.840\.10008\.1\.2\.4\.50\) cannot be decoded/.test(e.message));
  });
});
