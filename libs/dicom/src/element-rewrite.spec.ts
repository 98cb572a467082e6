import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { data } from 'dcmjs';
import { DicomParseError } from './dicom-parse-error';
import { rewriteElements } from './element-rewrite';
import { TransferSyntax } from './transfer-syntax';
import { buildInstance, InstanceSpec } from '../../../test/support/generator';

const PIXELS = Buffer.from(Array.from({ length: 4 * 4 * 2 }, (_, i) => i));
const JPEG_FRAME = Buffer.from([0xff, 0xd8, 0x01, 0x02, 0x03, 0x04, 0xff, 0xd9]);

function read(bytes: Buffer): Record<string, unknown> {
  const dict = data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  return data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

const ct = (more: InstanceSpec): Buffer => buildInstance({ rows: 4, patientName: 'OLD^NAME', patientId: 'OLD1', ...more }).bytes;

describe('rewriting the patient and study attributes of a stored instance', () => {
  for (const [name, syntax] of [
    ['explicit VR little endian', TransferSyntax.ExplicitVRLittleEndian],
    ['implicit VR little endian', TransferSyntax.ImplicitVRLittleEndian],
  ] as const) {
    it(`replaces name and ID and inserts an absent issuer, pixel data byte for byte kept (${name})`, async () => {
      const before = ct({ transferSyntaxUid: syntax, pixelData: PIXELS });
      const after = await rewriteElements(before, [
        { tag: '00100010', vr: 'PN', value: 'NEW^NAME^X' },
        { tag: '00100020', vr: 'LO', value: 'NEW22' },
        { tag: '00100021', vr: 'LO', value: 'HOSP' },
      ]);
      const ds = read(after);
      assert.equal((ds.PatientName as { Alphabetic: string }[])[0].Alphabetic, 'NEW^NAME^X');
      assert.equal(ds.PatientID, 'NEW22');
      assert.equal(ds.IssuerOfPatientID, 'HOSP');
      assert.equal(ds.StudyDescription, 'Generated study');
      assert.ok(after.subarray(after.length - PIXELS.length).equals(PIXELS));
      // Everything before the patient module is the same bytes.
      const patientAt = before.indexOf(Buffer.from('OLD^NAME'));
      assert.ok(after.subarray(0, patientAt - 8).equals(before.subarray(0, patientAt - 8)));
    });
  }

  it('keeps encapsulated fragments as they were and changes the Study Instance UID', async () => {
    const before = ct({ transferSyntaxUid: TransferSyntax.JPEGBaseline8Bit, fragments: [JPEG_FRAME] });
    const after = await rewriteElements(before, [{ tag: '0020000D', vr: 'UI', value: '1.2.3.4' }]);
    assert.equal(read(after).StudyInstanceUID, '1.2.3.4');
    const tail = before.subarray(before.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00])));
    assert.ok(after.subarray(after.length - tail.length).equals(tail));
  });

  it('writes a non-ASCII name as UTF-8 and says so in Specific Character Set when there was none', async () => {
    const after = await rewriteElements(ct({}), [{ tag: '00100010', vr: 'PN', value: 'Müller^Jörg' }]);
    const ds = read(after);
    assert.equal(ds.SpecificCharacterSet, 'ISO_IR 192');
    assert.equal((ds.PatientName as { Alphabetic: string }[])[0].Alphabetic, 'Müller^Jörg');
  });

  it('writes Latin-1 into an ISO_IR 100 instance and refuses what that set cannot carry', async () => {
    const latin = ct({ specificCharacterSet: 'ISO_IR 100' });
    const after = await rewriteElements(latin, [{ tag: '00100010', vr: 'PN', value: 'Müller' }]);
    assert.ok(after.includes(Buffer.from('Müller', 'latin1')));
    await assert.rejects(rewriteElements(latin, [{ tag: '00100010', vr: 'PN', value: 'Ωmega' }]), DicomParseError);
  });

  it('pads an odd value to even length (space for text, NUL for UIDs) and writes an empty value', async () => {
    const after = await rewriteElements(ct({}), [
      { tag: '00080050', vr: 'SH', value: 'A1B' },
      { tag: '00081030', vr: 'LO', value: '' },
    ]);
    assert.ok(after.includes(Buffer.from('SH\x04\x00A1B ', 'latin1')));
    assert.ok(after.includes(Buffer.from('\x30\x10LO\x00\x00', 'latin1')));
  });
});
