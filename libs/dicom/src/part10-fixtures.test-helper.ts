// Test data for this lib's specs: Part 10 files generated with dcmjs (plus hand-built encapsulated
// Pixel Data and deflate, which dcmjs does not write).
import { data } from 'dcmjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { buildPart10Header } from './file-meta';
import { TransferSyntax } from './transfer-syntax';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const SOP_INSTANCE_UID = '1.2.826.0.1.3680043.10.1453.99.1';

export interface FixtureOptions {
  transferSyntaxUid: string;
  /** dcmjs "natural" attributes added to (or replacing) the base CT attributes. */
  attributes?: Record<string, unknown>;
  /** Native pixel data, written by dcmjs as OW. */
  pixelData?: Buffer;
  /** Encapsulated pixel data fragments (PS3.5 A.4), appended after the data set. */
  fragments?: Buffer[];
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'pacs-dicom-'));
}

export function baseAttributes(): Record<string, unknown> {
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    SOPClassUID: CT_IMAGE_STORAGE,
    SOPInstanceUID: SOP_INSTANCE_UID,
    StudyInstanceUID: '1.2.826.0.1.3680043.10.1453.99.2',
    SeriesInstanceUID: '1.2.826.0.1.3680043.10.1453.99.3',
    PatientName: 'DOE^JANE',
    PatientID: 'PID-1',
    StudyDate: '20260102',
    Modality: 'CT',
    SeriesNumber: '2',
    InstanceNumber: '7',
    SliceThickness: '1.25',
    Rows: 4,
    Columns: 4,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
  };
}

export function part10Bytes(options: FixtureOptions): Buffer {
  const deflated = options.transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian;
  const writeSyntax = deflated ? TransferSyntax.ExplicitVRLittleEndian : options.transferSyntaxUid;
  const natural: Record<string, unknown> = { ...baseAttributes(), ...options.attributes };
  if (options.pixelData) {
    const px = options.pixelData;
    natural.PixelData = [px.buffer.slice(px.byteOffset, px.byteOffset + px.length)];
    natural._vrMap = { PixelData: 'OW' };
  }
  const dict = new data.DicomDict(
    data.DicomMetaDictionary.denaturalizeDataset({
      MediaStorageSOPClassUID: CT_IMAGE_STORAGE,
      MediaStorageSOPInstanceUID: SOP_INSTANCE_UID,
      TransferSyntaxUID: writeSyntax,
      ImplementationClassUID: '1.2.826.0.1.3680043.10.1453.99',
    }),
  );
  dict.dict = data.DicomMetaDictionary.denaturalizeDataset(natural);
  let bytes = Buffer.from(dict.write());
  if (options.fragments) bytes = Buffer.concat([bytes, encapsulatedPixelData(options.fragments)]);
  if (!deflated) return bytes;
  const metaEnd = 144 + bytes.readUInt32LE(140);
  const header = buildPart10Header({ sopClassUid: CT_IMAGE_STORAGE, sopInstanceUid: SOP_INSTANCE_UID, transferSyntaxUid: options.transferSyntaxUid });
  return Buffer.concat([header, deflateRawSync(bytes.subarray(metaEnd))]);
}

export function writePart10(dir: string, name: string, options: FixtureOptions): string {
  const path = join(dir, name);
  writeFileSync(path, part10Bytes(options));
  return path;
}

/** (7FE0,0010) OB, undefined length, an empty Basic Offset Table, the fragments, a Sequence Delimitation Item. */
export function encapsulatedPixelData(fragments: Buffer[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16LE(0x7fe0, 0);
  header.writeUInt16LE(0x0010, 2);
  header.write('OB', 4, 'latin1');
  header.writeUInt32LE(0xffffffff, 8);
  const items = [Buffer.alloc(0), ...fragments].map((f) => Buffer.concat([item(0xe000, f.length), f]));
  return Buffer.concat([header, ...items, item(0xe0dd, 0)]);
}

function item(element: number, length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(0xfffe, 0);
  b.writeUInt16LE(element, 2);
  b.writeUInt32LE(length, 4);
  return b;
}
