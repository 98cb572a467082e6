// Writes valid DICOM Part 10 files with chosen attributes for the specs of every tier and the
// benchmark. dcmjs writes the File Meta and the dataset up to Pixel Data (small, so cheap);
// the Pixel Data element is appended from a cached frame, which keeps bulk writes fast, and
// the deflated syntax is produced by deflating everything after the File Meta (PS3.5 A.5).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { data } from 'dcmjs';
import { applySubstitutions, encoderFor, substituteText } from './charset';
import { nonImageDefaults } from './non-image';
import { givenPixelDataElement, ImageGeometry, PixelEncoding, pixelDataElement } from './pixel-data';

export { BASIC_TEXT_SR, ENCAPSULATED_PDF } from './non-image';

export interface InstanceSpec {
  patientName?: string; patientId?: string; patientBirthDate?: string; patientSex?: string;
  studyUid?: string; seriesUid?: string; sopInstanceUid?: string;
  sopClassUid?: string;        // default CT Image Storage 1.2.840.10008.5.1.4.1.1.2
  modality?: string;           // default CT (DOC / SR for the PDF / Basic Text SR classes)
  transferSyntaxUid?: string;  // default explicit VR little endian
  studyDate?: string; studyTime?: string; accessionNumber?: string; studyDescription?: string;
  seriesNumber?: number; instanceNumber?: number; seriesDescription?: string;
  rows?: number; columns?: number; bitsAllocated?: 8 | 16;   // default 64×64×16 monochrome; rows 0: no pixels
  specificCharacterSet?: string; // e.g. 'ISO_IR 100' (then names are encoded in latin1)
  extra?: Record<string, unknown>; // more naturalized dcmjs attributes
  pixelData?: Buffer;          // native Pixel Data as given, in the syntax's byte order (instead of the gradient)
  fragments?: Buffer[];        // encapsulated Pixel Data fragments as given, any encapsulated syntax
}

export const TransferSyntax = {
  ImplicitLittleEndian: '1.2.840.10008.1.2',
  ExplicitLittleEndian: '1.2.840.10008.1.2.1',
  ExplicitBigEndian: '1.2.840.10008.1.2.2',
  DeflatedExplicitLittleEndian: '1.2.840.10008.1.2.1.99',
  JpegBaseline: '1.2.840.10008.1.2.4.50',
  RleLossless: '1.2.840.10008.1.2.5',
} as const;

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

/** A fixed 2.25 UID naming this generator as the implementation (PS3.10 7.1). */
const IMPLEMENTATION_CLASS_UID = '2.25.85234293687400492101732937057068107250';
const IMPLEMENTATION_VERSION_NAME = 'PACS_TESTGEN';

const PIXEL_ENCODING: Record<string, PixelEncoding> = {
  [TransferSyntax.ImplicitLittleEndian]: 'implicit-le',
  [TransferSyntax.ExplicitLittleEndian]: 'explicit-le',
  [TransferSyntax.ExplicitBigEndian]: 'explicit-be',
  [TransferSyntax.DeflatedExplicitLittleEndian]: 'explicit-le',
  [TransferSyntax.JpegBaseline]: 'jpeg-baseline',
  [TransferSyntax.RleLossless]: 'rle',
};

const PIXEL_DATA_TAG = '7FE00010';

export interface BuiltInstance {
  bytes: Buffer;
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
}
type Identity = Omit<BuiltInstance, 'bytes'>;

/** A UUID-derived UID (PS3.5 B.2): "2.25." and a random 128-bit integer in decimal. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`)}`;
}

/** Whether the generator encodes the frame as JPEG itself (not bytes the caller gave). */
function generatesJpeg(spec: InstanceSpec, transferSyntaxUid: string): boolean {
  return transferSyntaxUid === TransferSyntax.JpegBaseline && !spec.pixelData && !spec.fragments;
}

/** JPEG baseline (process 1) is 8-bit only, so that syntax forces 8 bits allocated. */
function geometryOf(spec: InstanceSpec, transferSyntaxUid: string): ImageGeometry | undefined {
  const rows = spec.rows ?? 64;
  if (rows === 0) return undefined;
  const jpeg = generatesJpeg(spec, transferSyntaxUid);
  return { rows, columns: spec.columns ?? rows, bitsAllocated: jpeg ? 8 : (spec.bitsAllocated ?? 16) };
}

/** Image Pixel module (PS3.3 C.7.6.3); jpeg-js writes YCbCr 4:4:4, hence YBR_FULL. */
function imageAttributes(g: ImageGeometry, ids: Identity, jpeg: boolean): Record<string, unknown> {
  const bits = g.bitsAllocated;
  return {
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    SamplesPerPixel: jpeg ? 3 : 1,
    PhotometricInterpretation: jpeg ? 'YBR_FULL' : 'MONOCHROME2',
    ...(jpeg ? { PlanarConfiguration: 0, LossyImageCompression: '01' } : {}),
    Rows: g.rows,
    Columns: g.columns,
    BitsAllocated: bits,
    BitsStored: bits === 16 ? 12 : 8,
    HighBit: bits === 16 ? 11 : 7,
    PixelRepresentation: 0,
    ...(ids.sopClassUid === CT_IMAGE_STORAGE ? { RescaleIntercept: -1024, RescaleSlope: 1 } : {}),
  };
}

function datasetOf(spec: InstanceSpec, ids: Identity, g: ImageGeometry | undefined): Record<string, unknown> {
  const date = spec.studyDate ?? '20240101';
  const time = spec.studyTime ?? '120000';
  const classDefaults = nonImageDefaults(ids.sopClassUid, date, time);
  return {
    ...(spec.specificCharacterSet ? { SpecificCharacterSet: spec.specificCharacterSet } : {}),
    SOPClassUID: ids.sopClassUid,
    SOPInstanceUID: ids.sopInstanceUid,
    StudyDate: date,
    StudyTime: time,
    AccessionNumber: spec.accessionNumber ?? 'ACC0001',
    StudyDescription: spec.studyDescription ?? 'Generated study',
    SeriesDescription: spec.seriesDescription ?? 'Generated series',
    PatientName: spec.patientName ?? 'TEST^PATIENT',
    PatientID: spec.patientId ?? 'PID0001',
    PatientBirthDate: spec.patientBirthDate ?? '19700101',
    PatientSex: spec.patientSex ?? 'O',
    StudyInstanceUID: ids.studyUid,
    SeriesInstanceUID: ids.seriesUid,
    StudyID: '1',
    SeriesNumber: spec.seriesNumber ?? 1,
    InstanceNumber: spec.instanceNumber ?? 1,
    ...classDefaults,
    Modality: spec.modality ?? classDefaults.Modality ?? 'CT',
    ...(g ? imageAttributes(g, ids, generatesJpeg(spec, ids.transferSyntaxUid)) : {}),
    ...spec.extra,
  };
}

/** Part 10 bytes of everything but Pixel Data, dataset in the byte order of the syntax. */
function writeHeader(dataset: Record<string, unknown>, ids: Identity, withPixels: boolean): Buffer {
  const dict = new data.DicomDict(
    data.DicomMetaDictionary.denaturalizeDataset({
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
      MediaStorageSOPClassUID: ids.sopClassUid,
      MediaStorageSOPInstanceUID: ids.sopInstanceUid,
      TransferSyntaxUID: ids.transferSyntaxUid,
      ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
      ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
    }),
  );
  dict.dict = data.DicomMetaDictionary.denaturalizeDataset(dataset);
  if (withPixels && Object.keys(dict.dict).some((tag) => tag.toUpperCase() >= PIXEL_DATA_TAG)) {
    throw new Error('generator: extra attributes at or after Pixel Data need rows: 0');
  }
  return Buffer.from(dict.write());
}

/** Builds one Part 10 instance in memory; UIDs not given are generated. */
export function buildInstance(spec: InstanceSpec = {}): BuiltInstance {
  const ids: Identity = {
    studyUid: spec.studyUid ?? newUid(),
    seriesUid: spec.seriesUid ?? newUid(),
    sopInstanceUid: spec.sopInstanceUid ?? newUid(),
    sopClassUid: spec.sopClassUid ?? CT_IMAGE_STORAGE,
    transferSyntaxUid: spec.transferSyntaxUid ?? TransferSyntax.ExplicitLittleEndian,
  };
  const encoding = PIXEL_ENCODING[ids.transferSyntaxUid];
  if (!encoding && !spec.fragments) throw new Error(`generator: transfer syntax ${ids.transferSyntaxUid} is not supported`);
  const geometry = geometryOf(spec, ids.transferSyntaxUid);
  const dataset = datasetOf(spec, ids, geometry);
  const encode = encoderFor(spec.specificCharacterSet);
  const substitutions = encode ? substituteText(dataset, encode) : [];
  const header = writeHeader(dataset, ids, geometry !== undefined);
  // (0002,0000) UL is the first meta element: 132 + 12 bytes, its value counts the rest.
  const datasetStart = 144 + header.readUInt32LE(140);
  applySubstitutions(header, substitutions, datasetStart);
  let bytes = Buffer.concat([header, ...(geometry ? pixels(spec, encoding, geometry) : [])]);
  if (ids.transferSyntaxUid === TransferSyntax.DeflatedExplicitLittleEndian) {
    bytes = Buffer.concat([bytes.subarray(0, datasetStart), deflateRawSync(bytes.subarray(datasetStart))]);
  }
  return { bytes, ...ids };
}

function pixels(spec: InstanceSpec, encoding: PixelEncoding | undefined, geometry: ImageGeometry): Buffer[] {
  if (spec.pixelData || spec.fragments) return givenPixelDataElement(encoding, geometry, { native: spec.pixelData, fragments: spec.fragments });
  return pixelDataElement(encoding as PixelEncoding, geometry);
}

export function writeInstance(path: string, spec?: InstanceSpec): ReturnType<typeof buildInstance> {
  const built = buildInstance(spec);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, built.bytes);
  return built;
}

/**
 * Writes `series` × `instancesPerSeries` files of one study into `dir` (flat, so one
 * `storescu +sd dir` sends them all). Series numbers count up from spec.seriesNumber ?? 1.
 */
export function generateStudy(
  dir: string,
  opts: { series: number; instancesPerSeries: number } & InstanceSpec,
): { studyUid: string; seriesUids: string[]; files: string[]; sopInstanceUids: string[] } {
  const { series, instancesPerSeries, ...spec } = opts;
  const result = { studyUid: spec.studyUid ?? newUid(), seriesUids: [] as string[], files: [] as string[], sopInstanceUids: [] as string[] };
  mkdirSync(dir, { recursive: true });
  for (let s = 0; s < series; s++) {
    const seriesUid = series === 1 && spec.seriesUid ? spec.seriesUid : newUid();
    result.seriesUids.push(seriesUid);
    for (let i = 0; i < instancesPerSeries; i++) {
      const file = join(dir, `s${String(s + 1).padStart(3, '0')}-i${String(i + 1).padStart(5, '0')}.dcm`);
      const built = writeInstance(file, {
        ...spec,
        studyUid: result.studyUid,
        seriesUid,
        sopInstanceUid: newUid(),
        seriesNumber: (spec.seriesNumber ?? 1) + s,
        instanceNumber: i + 1,
      });
      result.files.push(file);
      result.sopInstanceUids.push(built.sopInstanceUid);
    }
  }
  return result;
}
