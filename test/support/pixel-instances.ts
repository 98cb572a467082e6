// Instances for the pixel tests (WADO-RS frames, bulk data, rendered): multi-frame native data,
// JPEG-LS and JPEG lossless/extended made by DCMTK's dcmcjpls and dcmcjpeg, JPEG 2000 made by
// dcmjs-codecs (through dcmjs-dimse), and
// the stored frames read back with dicom-parser, an implementation independent of the server's.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dicomParser from 'dicom-parser';
import { Dataset, Transcoding } from 'dcmjs-dimse';
import { trackTempDir } from './child-registry';
import { runDcmtk } from './dcmtk';
import { BuiltInstance, buildInstance, InstanceSpec } from './generator';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
export const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
export const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.57';
export const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
export const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
export const JPEG_2000_LOSSLESS = '1.2.840.10008.1.2.4.90';

function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pacs-pixels-'));
  trackTempDir(dir);
  return dir;
}

/**
 * A native explicit VR little endian instance (16 bits allocated, 12 stored) whose Pixel Data
 * holds the given frames, each rows × columns 16-bit values little endian.
 */
export function multiFrameInstance(spec: InstanceSpec, frames: Buffer[]): BuiltInstance {
  const built = buildInstance({ ...spec, bitsAllocated: 16, extra: { ...spec.extra, NumberOfFrames: frames.length } });
  const frameLength = frames[0].length;
  // The generator ends the file with one frame after a 12-byte explicit VR (7FE0,0010) OW header.
  const headerAt = built.bytes.length - frameLength - 12;
  const header = Buffer.from(built.bytes.subarray(headerAt, headerAt + 12));
  if (header.readUInt16LE(0) !== 0x7fe0 || header.readUInt16LE(2) !== 0x0010) throw new Error('multiFrameInstance: Pixel Data not where expected');
  header.writeUInt32LE(frameLength * frames.length, 8);
  return { ...built, bytes: Buffer.concat([built.bytes.subarray(0, headerAt), header, ...frames]) };
}

/** A rows × columns frame of 16-bit little endian values given by `value(x, y)`. */
export function frame16(rows: number, columns: number, value: (x: number, y: number) => number): Buffer {
  const b = Buffer.alloc(rows * columns * 2);
  for (let y = 0; y < rows; y++) for (let x = 0; x < columns; x++) b.writeUInt16LE(value(x, y), (y * columns + x) * 2);
  return b;
}

/** The instance re-encoded by DCMTK dcmcjpls (JPEG-LS lossless, one fragment per frame, offset table). */
export function toJpegLs(instance: BuiltInstance): Promise<BuiltInstance> {
  return viaDcmtk(instance, 'dcmcjpls', [], JPEG_LS_LOSSLESS);
}

/**
 * The instance re-encoded by DCMTK dcmcjpeg: JPEG lossless SV1 (4.70), lossless with another
 * predictor (4.57) or extended sequential 12-bit lossy (4.51).
 */
export function toJpeg(instance: BuiltInstance, transferSyntaxUid: typeof JPEG_LOSSLESS_SV1 | typeof JPEG_LOSSLESS | typeof JPEG_EXTENDED): Promise<BuiltInstance> {
  const option = { [JPEG_LOSSLESS_SV1]: '+e1', [JPEG_LOSSLESS]: '+el', [JPEG_EXTENDED]: '+ee' }[transferSyntaxUid];
  // +un: the same instance, compressed (DCMTK would give a lossy copy a new SOP Instance UID).
  return viaDcmtk(instance, 'dcmcjpeg', [option, '+un'], transferSyntaxUid);
}

/**
 * The instance decompressed by DCMTK (dcmdjpeg, dcmdjpls, dcmdrle; YCbCr JPEG converted to RGB,
 * colour by pixel): the output of a decoder independent of the server's.
 */
export function decodedByDcmtk(instance: BuiltInstance): Promise<BuiltInstance> {
  const ts = instance.transferSyntaxUid;
  if (ts === JPEG_LS_LOSSLESS) return viaDcmtk(instance, 'dcmdjpls', ['+px'], EXPLICIT_LE);
  if (ts === RLE_LOSSLESS) return viaDcmtk(instance, 'dcmdrle', [], EXPLICIT_LE);
  return viaDcmtk(instance, 'dcmdjpeg', ['+px'], EXPLICIT_LE);
}

async function viaDcmtk(instance: BuiltInstance, tool: string, options: string[], transferSyntaxUid: string): Promise<BuiltInstance> {
  const dir = workDir();
  writeFileSync(join(dir, 'in.dcm'), instance.bytes);
  const result = await runDcmtk(tool, [...options, join(dir, 'in.dcm'), join(dir, 'out.dcm')]);
  if (result.code !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
  return { ...instance, bytes: readFileSync(join(dir, 'out.dcm')), transferSyntaxUid };
}

/** The instance re-encoded to JPEG 2000 lossless by dcmjs-codecs (WebAssembly OpenJPEG). */
export async function toJpeg2000(instance: BuiltInstance): Promise<BuiltInstance> {
  if (!Transcoding.isInitialized()) await Transcoding.initializeAsync();
  const dir = workDir();
  writeFileSync(join(dir, 'in.dcm'), instance.bytes);
  const dataset = await new Promise<Dataset>((resolve, reject) =>
    Dataset.fromFile(join(dir, 'in.dcm'), (err, ds) => (err || !ds ? reject(err ?? new Error('no dataset')) : resolve(ds))),
  );
  const transcoded = Transcoding.transcodeDataset(dataset, JPEG_2000_LOSSLESS);
  await new Promise<void>((resolve, reject) => transcoded.toFile(join(dir, 'out.dcm'), (err?: Error) => (err ? reject(err) : resolve())));
  return { ...instance, bytes: readFileSync(join(dir, 'out.dcm')), transferSyntaxUid: JPEG_2000_LOSSLESS };
}

/** Every frame of a Part 10 file as stored (native: sliced; encapsulated: its fragments joined). */
export function storedFrames(bytes: Buffer): Buffer[] {
  const ds = dicomParser.parseDicom(new Uint8Array(bytes));
  const pixelData = ds.elements.x7fe00010;
  const frames = Number(ds.string('x00280008') ?? '1');
  if (pixelData.encapsulatedPixelData) {
    if (frames === 1) return [Buffer.from(dicomParser.readEncapsulatedPixelDataFromFragments(ds, pixelData, 0, pixelData.fragments!.length))];
    return Array.from({ length: frames }, (_, i) => Buffer.from(dicomParser.readEncapsulatedImageFrame(ds, pixelData, i)));
  }
  const frameLength = pixelData.length / frames;
  return Array.from({ length: frames }, (_, i) => Buffer.from(bytes.subarray(pixelData.dataOffset + i * frameLength, pixelData.dataOffset + (i + 1) * frameLength)));
}
