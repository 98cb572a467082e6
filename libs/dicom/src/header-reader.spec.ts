import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getNumber, getPersonName, getString } from './dicom-json';
import { deflateRawSync } from 'node:zlib';
import { DicomParseError } from './dicom-parse-error';
import { readInstanceHeader } from './header-reader';
import { buildPart10Header } from './file-meta';
import { TransferSyntax } from './transfer-syntax';
import { BASIC_TEXT_SR, buildInstance, InstanceSpec, writeInstance } from '../../../test/support/generator';
import { withRawElements } from '../../../test/support/raw-elements';

const dir = mkdtempSync(join(tmpdir(), 'pacs-dicom-'));
const PIXELS = Buffer.alloc(4 * 4 * 2, 7);
const JPEG_FRAME = Buffer.from([0xff, 0xd8, 0x01, 0x02, 0x03, 0x04, 0xff, 0xd9]);

/** A 4×4 16-bit CT in `transferSyntaxUid`, with chosen Pixel Data bytes and attributes. */
const ct = (transferSyntaxUid: string, more: InstanceSpec = {}): InstanceSpec => ({
  transferSyntaxUid,
  patientName: 'DOE^JANE',
  rows: 4,
  instanceNumber: 7,
  ...more,
  extra: { SliceThickness: '1.25', ...more.extra },
});
const ctBytes = (transferSyntaxUid: string, more: InstanceSpec = {}) => buildInstance(ct(transferSyntaxUid, more)).bytes;
const writeCt = (name: string, transferSyntaxUid: string, more: InstanceSpec = {}) => {
  const path = join(dir, name);
  return { path, ...writeInstance(path, ct(transferSyntaxUid, more)) };
};

const FAMILIES: Array<[string, string, { pixelData?: Buffer; fragments?: Buffer[] }]> = [
  ['implicit VR little endian', TransferSyntax.ImplicitVRLittleEndian, { pixelData: PIXELS }],
  ['explicit VR little endian', TransferSyntax.ExplicitVRLittleEndian, { pixelData: PIXELS }],
  ['explicit VR big endian', TransferSyntax.ExplicitVRBigEndian, { pixelData: PIXELS }],
  ['deflated explicit VR little endian', TransferSyntax.DeflatedExplicitVRLittleEndian, { pixelData: PIXELS }],
  ['JPEG baseline (encapsulated)', TransferSyntax.JPEGBaseline8Bit, { fragments: [JPEG_FRAME] }],
  ['JPEG 2000 (encapsulated, two fragments)', TransferSyntax.JPEG2000, { fragments: [JPEG_FRAME, JPEG_FRAME] }],
  ['RLE lossless (encapsulated)', TransferSyntax.RLELossless, { fragments: [Buffer.alloc(64, 1)] }],
];

async function expectParseError(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readInstanceHeader(path), (e: unknown) => {
    assert.ok(e instanceof DicomParseError, `expected DicomParseError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.equal(e.code, 'dicom-unparsable');
    return true;
  });
}

describe('readInstanceHeader', () => {
  for (const [name, transferSyntaxUid, pixels] of FAMILIES) {
    it(`reads a ${name} file`, async () => {
      const { path, sopInstanceUid } = writeCt(`${transferSyntaxUid}.dcm`, transferSyntaxUid, pixels);
      const header = await readInstanceHeader(path);
      assert.equal(header.transferSyntaxUid, transferSyntaxUid);
      assert.equal(getString(header.meta, '00020003'), sopInstanceUid);
      const ds = header.dataset;
      assert.equal(getString(ds, '00080018'), sopInstanceUid);
      assert.equal(getPersonName(ds, '00100010'), 'DOE^JANE');
      assert.deepEqual(ds['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] });
      assert.deepEqual(ds['00280010'], { vr: 'US', Value: [4] });
      assert.deepEqual(ds['00200013'], { vr: 'IS', Value: [7] });
      assert.deepEqual(ds['00180050'], { vr: 'DS', Value: [1.25] });
      assert.equal(getNumber(ds, '00280101'), 12);
      assert.equal(ds['7FE00010'], undefined, 'pixel data left out');
    });
  }

  it('reads sequences as arrays of nested DICOM JSON', async () => {
    const attributes = {
      ReferencedImageSequence: [
        { ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: '1.2.3.4' },
        { ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: '1.2.3.5' },
      ],
    };
    for (const transferSyntaxUid of [TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian]) {
      const { path } = writeCt(`seq-${transferSyntaxUid}.dcm`, transferSyntaxUid, { extra: attributes, pixelData: PIXELS });
      const seq = (await readInstanceHeader(path)).dataset['00081140'];
      assert.equal(seq.vr, 'SQ');
      assert.deepEqual(seq.Value, [
        { '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: ['1.2.3.4'] } },
        { '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] }, '00081155': { vr: 'UI', Value: ['1.2.3.5'] } },
      ]);
    }
  });

  it('reads legacy values as the archive answers them: pre-3.0 dates and times in their current form, NULs handled', async () => {
    const bytes = withRawElements(ctBytes(TransferSyntax.ExplicitVRLittleEndian, { pixelData: PIXELS }), [
      { tag: '00080020', vr: 'DA', value: '1997.04.24' },
      { tag: '00080030', vr: 'TM', value: '10:20:30' },
      { tag: '0008002A', vr: 'DT', value: '1997.04.24 10:20:30.5+0100' },
      { tag: '00080060', vr: 'CS', value: 'CT\0\0' },
      { tag: '00080080', vr: 'LO', value: 'I'.repeat(80) },
      { tag: '0008103E', vr: 'LO', value: 'AXIAL\0SOFT' },
      { tag: '00100040', vr: 'CS', value: '\0M' },
      { tag: '00104000', vr: 'LT', value: 'FIRST\0SECOND\0\0' },
    ]);
    const path = join(dir, 'legacy.dcm');
    writeFileSync(path, bytes);
    const { dataset } = await readInstanceHeader(path);
    assert.deepEqual(dataset['00080020'], { vr: 'DA', Value: ['19970424'] });
    assert.deepEqual(dataset['00080030'], { vr: 'TM', Value: ['102030'] });
    assert.deepEqual(dataset['0008002A'], { vr: 'DT', Value: ['19970424102030.5+0100'] });
    assert.deepEqual(dataset['00080060'], { vr: 'CS', Value: ['CT'] }, 'NUL padding');
    assert.deepEqual(dataset['00080080'], { vr: 'LO', Value: ['I'.repeat(80)] }, 'over-long, as received');
    assert.deepEqual(dataset['0008103E'], { vr: 'LO', Value: ['AXIAL SOFT'] });
    assert.deepEqual(dataset['00100040'], { vr: 'CS', Value: ['M'] }, 'a leading NUL is padding too');
    assert.deepEqual(dataset['00104000'], { vr: 'LT', Value: ['FIRST SECOND'] });
    assert.ok(readFileSync(path).equals(bytes), 'the file is left as received');
  });

  it('decodes a Latin-1 (ISO_IR 100) patient name and keeps the original Specific Character Set', async () => {
    const { path } = writeCt('latin1.dcm', TransferSyntax.ExplicitVRLittleEndian, { specificCharacterSet: 'ISO_IR 100', patientName: 'MÜLLER^JÖRG', pixelData: PIXELS });
    const { dataset } = await readInstanceHeader(path);
    assert.equal(getPersonName(dataset, '00100010'), 'MÜLLER^JÖRG');
    assert.deepEqual(dataset['00080005'], { vr: 'CS', Value: ['ISO_IR 100'] });
  });

  it('inlines small binary values as base64 and leaves out large ones', async () => {
    const attributes = { RedPaletteColorLookupTableData: [new Uint16Array([1, 2]).buffer], SpectroscopyData: [new Float32Array(1024).buffer] };
    const { path } = writeCt('binary.dcm', TransferSyntax.ExplicitVRLittleEndian, { extra: attributes, pixelData: PIXELS });
    const { dataset } = await readInstanceHeader(path);
    assert.deepEqual(dataset['00281201'], { vr: 'OW', InlineBinary: Buffer.from([1, 0, 2, 0]).toString('base64') });
    assert.equal(dataset['56000020'], undefined);
  });

  it('reads a header larger than the first 256 KiB read', async () => {
    const attributes = { StudyDescription: 'x', TextValue: 'c'.repeat(600 * 1024) };
    const { path } = writeCt('big-header.dcm', TransferSyntax.ExplicitVRLittleEndian, { extra: attributes, pixelData: PIXELS });
    const { dataset } = await readInstanceHeader(path);
    assert.equal(getString(dataset, '0040A160')?.length, 600 * 1024);
    assert.equal(getString(dataset, '00080060'), 'CT');
  });

  it('reads a data set without Pixel Data to the end of the file', async () => {
    const { path } = writeCt('sr.dcm', TransferSyntax.ExplicitVRLittleEndian, { sopClassUid: BASIC_TEXT_SR, rows: 0 });
    const { dataset } = await readInstanceHeader(path);
    assert.equal(getString(dataset, '00080060'), 'SR');
  });

  it('accepts elements after Pixel Data (Data Set Trailing Padding)', async () => {
    const padding = Buffer.from([0xfc, 0xff, 0xfc, 0xff, 0x4f, 0x42, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0]);
    const bytes = Buffer.concat([ctBytes(TransferSyntax.ExplicitVRLittleEndian, { pixelData: PIXELS }), padding]);
    const path = join(dir, 'trailing-padding.dcm');
    writeFileSync(path, bytes);
    assert.equal(getString((await readInstanceHeader(path)).dataset, '00080060'), 'CT');
  });

  it('rejects a native file cut inside the pixel data', async () => {
    const { path } = writeCt('cut-native.dcm', TransferSyntax.ExplicitVRLittleEndian, { pixelData: Buffer.alloc(4096) });
    truncateSync(path, readFileSync(path).length - 100);
    await expectParseError(path, /truncated: \(7FE0,0010\) "OW" has a length of 4096 bytes, 3996 remain in the data set/);
  });

  it('rejects an encapsulated file cut inside the fragments', async () => {
    const { path } = writeCt('cut-jpeg.dcm', TransferSyntax.JPEGBaseline8Bit, { fragments: [Buffer.alloc(4096, 1)] });
    truncateSync(path, readFileSync(path).length - 20);
    await expectParseError(path, /truncated: fragment 1 of encapsulated Pixel Data \(7FE0,0010\) has a length of 4096 bytes/);
  });

  it('rejects an encapsulated file missing only its sequence delimiter', async () => {
    const { path } = writeCt('no-delimiter.dcm', TransferSyntax.JPEGBaseline8Bit, { fragments: [JPEG_FRAME] });
    truncateSync(path, readFileSync(path).length - 8);
    await expectParseError(path, /truncated/);
  });

  it('rejects a deflated file cut short', async () => {
    const { path } = writeCt('cut-deflated.dcm', TransferSyntax.DeflatedExplicitVRLittleEndian, { pixelData: Buffer.alloc(4096, 3) });
    truncateSync(path, readFileSync(path).length - 10);
    await expectParseError(path, /truncated|inflated/);
  });

  it('reads a deflated data set followed by a padding byte, as DCMTK sends an odd-length one', async () => {
    for (let n = 1; n <= 8; n++) {
      const bytes = ctBytes(TransferSyntax.DeflatedExplicitVRLittleEndian, { studyDescription: 'x'.repeat(n), pixelData: Buffer.alloc(4096, n) });
      const padded = Buffer.concat([bytes, Buffer.alloc(1)]);
      const path = join(dir, `deflated-padded-${n}.dcm`);
      writeFileSync(path, padded);
      const { dataset } = await readInstanceHeader(path, { size: padded.length, head: padded.subarray(0, 64 * 1024) });
      assert.equal(getString(dataset, '00081030'), 'x'.repeat(n));
    }
  });

  it('rejects an element with an unknown VR inside a deflated data set, at its inflated offset', async () => {
    const built = buildInstance(ct(TransferSyntax.ExplicitVRLittleEndian, { pixelData: Buffer.alloc(64 * 1024, 3) }));
    const plain = built.bytes;
    const metaEnd = 144 + plain.readUInt32LE(140);
    const modality = plain.indexOf(Buffer.from([0x08, 0x00, 0x60, 0x00]), metaEnd);
    plain.write('SJ', modality + 4, 'latin1');
    const header = buildPart10Header({ sopClassUid: built.sopClassUid, sopInstanceUid: built.sopInstanceUid, transferSyntaxUid: TransferSyntax.DeflatedExplicitVRLittleEndian });
    const path = join(dir, 'deflated-bad-vr.dcm');
    writeFileSync(path, Buffer.concat([header, deflateRawSync(plain.subarray(metaEnd))]));
    await expectParseError(path, new RegExp(`at byte ${modality - metaEnd} of the inflated data set: \\(0008,0060\\) has VR "SJ"`));
  });

  it('rejects a broken element after a large value, past the bytes read first', async () => {
    const bytes = ctBytes(TransferSyntax.ExplicitVRLittleEndian, { pixelData: Buffer.alloc(600 * 1024) });
    const trailer = Buffer.from([0xfc, 0xff, 0xfc, 0xff, 0x4f, 0x42, 0, 0, 0xff, 0, 0, 0, 1, 2]);
    const path = join(dir, 'bad-trailer.dcm');
    writeFileSync(path, Buffer.concat([bytes, trailer]));
    await expectParseError(path, /truncated: \(FFFC,FFFC\) "OB" has a length of 255 bytes, 2 remain in the data set/);
  });

  it('rejects garbage after Pixel Data', async () => {
    const bytes = Buffer.concat([ctBytes(TransferSyntax.ExplicitVRLittleEndian, { pixelData: PIXELS }), Buffer.from('garbage!!')]);
    const path = join(dir, 'garbage-after.dcm');
    writeFileSync(path, bytes);
    await expectParseError(path, /\(6167,6272\) has VR "ag", not a DICOM VR/);
  });

  it('rejects a file that is not Part 10', async () => {
    const path = join(dir, 'garbage.dcm');
    writeFileSync(path, Buffer.from('this is not a DICOM file at all, just some text'.repeat(10)));
    await expectParseError(path, /DICM/);
    const empty = join(dir, 'empty.dcm');
    writeFileSync(empty, Buffer.alloc(0));
    await expectParseError(empty, /DICM/);
  });

  it('rejects a File Meta without Transfer Syntax UID', async () => {
    // (0002,0002) UI only: a meta group that parses but names no transfer syntax.
    const uid = Buffer.from('1.2.840.10008.5.1.4.1.1.2\0', 'latin1');
    const element = Buffer.concat([Buffer.from([0x02, 0x00, 0x02, 0x00, 0x55, 0x49, uid.length, 0]), uid]);
    const path = join(dir, 'no-ts.dcm');
    writeFileSync(path, Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), element, Buffer.from([0x08, 0, 0x60, 0, 0x43, 0x53, 2, 0, 0x43, 0x54])]));
    await expectParseError(path, /Transfer Syntax/);
  });

  it('reads a 512×512×16 CT header quickly (timing printed, not asserted)', async () => {
    const { path } = writeCt('ct512.dcm', TransferSyntax.ExplicitVRLittleEndian, { rows: 512, pixelData: Buffer.alloc(512 * 512 * 2) });
    const { path: jpeg } = writeCt('ct512-jpeg.dcm', TransferSyntax.JPEGLosslessSV1, { rows: 512, fragments: [Buffer.alloc(256 * 1024, 5)] });
    for (const file of [path, jpeg]) {
      for (let i = 0; i < 50; i++) await readInstanceHeader(file);
      const runs = 500;
      const start = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      for (let i = 0; i < runs; i++) await readInstanceHeader(file);
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6 / runs;
      const { user, system } = process.cpuUsage(cpu);
      const kind = file.endsWith('jpeg.dcm') ? 'encapsulated' : 'native';
      console.log(`readInstanceHeader(${kind} 512 KB CT): ${wallMs.toFixed(3)} ms wall, ${((user + system) / 1000 / runs).toFixed(3)} ms CPU per file`);
    }
  });

  it('scans fragment headers beyond the first 256 KiB read', async () => {
    const fragments = Array.from({ length: 40 }, () => Buffer.alloc(16 * 1024, 9));
    const bytes = ctBytes(TransferSyntax.JPEGLSLossless, { fragments });
    const path = join(dir, 'many-fragments.dcm');
    writeFileSync(path, bytes);
    assert.equal((await readInstanceHeader(path)).transferSyntaxUid, TransferSyntax.JPEGLSLossless);
  });
});
