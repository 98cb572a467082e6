import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { data } from 'dcmjs';
import { buildInstance, newUid, TransferSyntax } from '../../../test/support/generator';
import { canTranscodeToExplicitLittle, transcodeToExplicitLittle } from './transcode';

function read(bytes: Buffer) {
  return data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
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

  it('offers it for native syntaxes only, not for compressed pixel data', () => {
    assert.equal(canTranscodeToExplicitLittle(TransferSyntax.ImplicitLittleEndian), true);
    assert.equal(canTranscodeToExplicitLittle(TransferSyntax.ExplicitBigEndian), true);
    assert.equal(canTranscodeToExplicitLittle(TransferSyntax.JpegBaseline), false);
    assert.equal(canTranscodeToExplicitLittle(TransferSyntax.RleLossless), false);
  });
});
