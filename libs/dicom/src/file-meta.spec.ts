import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { data } from 'dcmjs';
import * as dicomParser from 'dicom-parser';
import { buildPart10Header, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './file-meta';

const META = {
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: '1.2.826.0.1.3680043.10.1453.99.1234',
  transferSyntaxUid: '1.2.840.10008.1.2.4.50',
  sourceAeTitle: 'MODALITY',
};

// (0008,0060) CS "CT" in explicit VR little endian: a one-element data set after the header.
const DATASET = Buffer.from([0x08, 0x00, 0x60, 0x00, 0x43, 0x53, 0x02, 0x00, 0x43, 0x54]);

describe('buildPart10Header', () => {
  it('writes the preamble, DICM and a group length matching the group', () => {
    const header = buildPart10Header(META);
    assert.ok(header.subarray(0, 128).every((b) => b === 0));
    assert.equal(header.toString('latin1', 128, 132), 'DICM');
    assert.equal(header.readUInt32LE(140), header.length - 144);
  });

  it('parses with dicom-parser: UIDs NUL-padded to even length, SH and AE space-padded', () => {
    const header = buildPart10Header(META);
    const ds = dicomParser.readPart10Header(Buffer.concat([header, DATASET]));
    assert.equal(ds.string('x00020002'), META.sopClassUid);
    assert.equal(ds.string('x00020003'), META.sopInstanceUid);
    assert.equal(ds.string('x00020010'), META.transferSyntaxUid);
    assert.equal(ds.string('x00020012'), IMPLEMENTATION_CLASS_UID);
    assert.equal(ds.string('x00020013'), IMPLEMENTATION_VERSION_NAME);
    assert.equal(ds.string('x00020016'), 'MODALITY');
    for (const el of Object.values(ds.elements)) assert.equal(el.length % 2, 0, `${el.tag} has odd length`);
    const version = ds.elements.x00020001;
    assert.deepEqual([...header.subarray(version.dataOffset, version.dataOffset + 2)], [0x00, 0x01]);
    const uid = ds.elements.x00020003;
    assert.equal(header[uid.dataOffset + uid.length - 1], 0x00, 'odd-length UID padded with NUL');
  });

  it('parses with dcmjs', () => {
    const bytes = Buffer.concat([buildPart10Header(META), DATASET]);
    const dict = data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const meta = data.DicomMetaDictionary.naturalizeDataset(dict.meta);
    assert.equal(meta.MediaStorageSOPClassUID, META.sopClassUid);
    assert.equal(meta.MediaStorageSOPInstanceUID, META.sopInstanceUid);
    assert.equal(meta.TransferSyntaxUID, META.transferSyntaxUid);
    assert.equal(meta.ImplementationClassUID, IMPLEMENTATION_CLASS_UID);
    assert.equal(meta.SourceApplicationEntityTitle, 'MODALITY');
    assert.equal(data.DicomMetaDictionary.naturalizeDataset(dict.dict).Modality, 'CT');
  });

  it('leaves out (0002,0016) when no source AE title is given', () => {
    const { sourceAeTitle: _unused, ...withoutAe } = META;
    const ds = dicomParser.readPart10Header(Buffer.concat([buildPart10Header(withoutAe), DATASET]));
    assert.equal(ds.elements.x00020016, undefined);
  });

  it('takes microseconds (timing printed, not asserted)', () => {
    const runs = 10_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) buildPart10Header(META);
    const micros = Number(process.hrtime.bigint() - start) / 1000 / runs;
    console.log(`buildPart10Header: ${micros.toFixed(2)} µs per call`);
  });
});
