// Finds Pixel Data (and other top-level bulk values) in a stored Part 10 file and cuts it into
// frames, reading only the header and the item headers of encapsulated data: the frame bytes
// themselves are read by the caller, one byte range at a time.
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import type { DataSet, Element } from 'dicom-parser';
import { ByteSource, MemorySource } from './byte-source';
import { OutOfBytesError } from './dataset-to-json';
import { describeError, parseElements, PIXEL_DATA } from './element-parser';
import { DicomParseError } from './dicom-parse-error';
import { framesFromFragments, Fragment } from './encapsulated-frames';
import { isEncapsulatedTransferSyntax, TransferSyntax } from './transfer-syntax';

const inflateRawAsync = promisify(inflateRaw);
const PREAMBLE_AND_PREFIX = 132;
const FIRST_READ = 64 * 1024;
const MAX_HEADER = 256 * 1024 * 1024;
const UNDEFINED_LENGTH = 0xffffffff;

/** A run of bytes in the stored file (or in the inflated data set of a deflated file). */
export interface ByteRange {
  offset: number;
  length: number;
}

/** Where a top-level element's value is, and how to read it as little endian. */
export interface BulkValue {
  /** The value's byte ranges: one for a defined length, the fragments for encapsulated data. */
  ranges: ByteRange[];
  vr: string;
  /** Bytes per word to swap when the file is big endian (PS3.5 7.3); 1 = none. */
  swapWidth: number;
}

/** Image Pixel module geometry (PS3.3 C.7.6.3) and where each frame's bytes are. */
export interface PixelLayout {
  transferSyntaxUid: string;
  encapsulated: boolean;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  numberOfFrames: number;
  /** frames[i] are the byte ranges of frame i + 1: one range for native data, fragments otherwise. */
  frames: ByteRange[][];
  /** 2 when native 16-bit data must be swapped to little endian (explicit VR big endian). */
  swapWidth: number;
}

/** A stored file, opened for random access: the bytes to read ranges from and its parsed header. */
export interface OpenedInstance {
  /** The file itself, or the inflated data set of a deflated file (PS3.5 A.5). */
  source: ByteSource;
  transferSyntaxUid: string;
  dataset: DataSet;
}

/**
 * Parses a stored Part 10 file up to Pixel Data, reading a growing prefix (never the pixel
 * values). A deflated file is inflated whole, as its data set is one deflate stream.
 */
export async function openInstance(file: ByteSource, transferSyntaxUid: string): Promise<OpenedInstance> {
  let bytes = await file.read(0, Math.min(file.size, FIRST_READ));
  const start = datasetStart(bytes);
  if (transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian) {
    if (file.size > MAX_HEADER) throw new DicomParseError(`deflated file larger than ${MAX_HEADER} bytes`);
    const whole = Buffer.from(await file.read(0, file.size));
    const inflated = await inflateRawAsync(whole.subarray(start));
    return { source: new MemorySource(inflated), transferSyntaxUid, dataset: parseAll(inflated, 0, transferSyntaxUid) };
  }
  for (;;) {
    const whole = bytes.length === file.size;
    const dataset = tryParse(Buffer.from(bytes), start, transferSyntaxUid, whole);
    if (dataset) return { source: file, transferSyntaxUid, dataset };
    if (bytes.length >= MAX_HEADER) throw new DicomParseError(`data set before Pixel Data is larger than ${MAX_HEADER} bytes`);
    bytes = await file.read(0, Math.min(file.size, bytes.length * 4, MAX_HEADER));
  }
}

// PS3.10 7.1: File Meta Information Group Length (0002,0000) is Type 1 and comes first.
function datasetStart(bytes: Buffer): number {
  const at = PREAMBLE_AND_PREFIX;
  if (bytes.length < at + 12 || bytes.toString('latin1', 128, 132) !== 'DICM') throw new DicomParseError('not a DICOM Part 10 file');
  if (bytes.readUInt32LE(at) !== 0x00000002) throw new DicomParseError('File Meta Information has no group length (0002,0000)');
  return at + 12 + bytes.readUInt32LE(at + 8);
}

/** Undefined when the prefix ends before Pixel Data (more bytes are needed). */
function tryParse(bytes: Buffer, start: number, transferSyntaxUid: string, whole: boolean): DataSet | undefined {
  try {
    const ds = parseElements(bytes, start, transferSyntaxUid);
    const pixelData = ds.elements[PIXEL_DATA];
    if (!whole && (!pixelData || pixelData.dataOffset + 12 > bytes.length)) return undefined;
    return ds;
  } catch (e) {
    if (!whole) return undefined;
    throw new DicomParseError(`data set cannot be parsed: ${describeError(e)}`);
  }
}

function parseAll(bytes: Buffer, start: number, transferSyntaxUid: string): DataSet {
  const ds = tryParse(bytes, start, transferSyntaxUid, true);
  if (!ds) throw new DicomParseError('data set cannot be parsed');
  return ds;
}

/**
 * The value of a top-level element (tag as 8 hex digits), or undefined when the instance has
 * none. Elements inside sequences and after Pixel Data are not reached (the header parse
 * stops at Pixel Data).
 */
export async function locateBulkValue(opened: OpenedInstance, tag: string): Promise<BulkValue | undefined> {
  const element = opened.dataset.elements[`x${tag.toLowerCase()}`];
  if (!element || element.items) return undefined;
  const vr = element.vr ?? (tag.toUpperCase() === '7FE00010' ? 'OW' : 'UN');
  const bigEndian = opened.transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian;
  const swapWidth = bigEndian ? (SWAP_WIDTH[vr] ?? 1) : 1;
  if (element.length !== UNDEFINED_LENGTH) {
    if (element.dataOffset + element.length > opened.source.size) throw new DicomParseError(`element ${tag} runs past the end of the file`);
    return { ranges: [{ offset: element.dataOffset, length: element.length }], vr, swapWidth };
  }
  const { fragments } = await scanItems(opened.source, element.dataOffset, bigEndian);
  return { ranges: fragments, vr, swapWidth };
}

const SWAP_WIDTH: Record<string, number> = { OW: 2, US: 2, SS: 2, OL: 4, OF: 4, UL: 4, SL: 4, FL: 4, OD: 8, FD: 8, OV: 8, UV: 8, SV: 8 };

/** Where every frame of the instance's Pixel Data is (PS3.5 8.2 native, A.4 encapsulated). */
export async function locateFrames(opened: OpenedInstance): Promise<PixelLayout | undefined> {
  const ds = opened.dataset;
  const pixelData = ds.elements[PIXEL_DATA];
  if (!pixelData) return undefined;
  const geometry = {
    rows: ds.uint16('x00280010') ?? 0,
    columns: ds.uint16('x00280011') ?? 0,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    bitsAllocated: ds.uint16('x00280100') ?? 0,
    numberOfFrames: Math.max(1, Number.parseInt(ds.string('x00280008') ?? '1', 10) || 1),
  };
  const encapsulated = pixelData.length === UNDEFINED_LENGTH && isEncapsulatedTransferSyntax(opened.transferSyntaxUid);
  const bigEndian = opened.transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian;
  const base = { transferSyntaxUid: opened.transferSyntaxUid, encapsulated, ...geometry };
  if (encapsulated) {
    const { offsetTable, fragments } = await scanItems(opened.source, pixelData.dataOffset, bigEndian);
    const starts = await fragmentStarts(opened.source, fragments, offsetTable, geometry.numberOfFrames);
    return { ...base, frames: framesFromFragments(fragments, offsetTable, geometry.numberOfFrames, starts), swapWidth: 1 };
  }
  return { ...base, frames: nativeFrames(pixelData, geometry, opened.source.size), swapWidth: bigEndian && geometry.bitsAllocated === 16 ? 2 : 1 };
}

function nativeFrames(pixelData: Element, g: { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number; numberOfFrames: number }, size: number): ByteRange[][] {
  const bits = g.rows * g.columns * g.samplesPerPixel * g.bitsAllocated;
  // A 1-bit frame that does not end on a byte boundary shares a byte with the next (PS3.5 8.1.1).
  if (bits === 0 || (bits % 8 !== 0 && g.numberOfFrames > 1)) {
    throw new DicomParseError(`frames of ${g.rows}x${g.columns}x${g.samplesPerPixel}x${g.bitsAllocated} bits cannot be cut on byte boundaries`);
  }
  const frameLength = Math.ceil(bits / 8);
  if (frameLength * g.numberOfFrames > pixelData.length || pixelData.dataOffset + pixelData.length > size) {
    throw new DicomParseError(`Pixel Data holds ${pixelData.length} bytes, ${g.numberOfFrames} frame(s) need ${frameLength * g.numberOfFrames}`);
  }
  return Array.from({ length: g.numberOfFrames }, (_, i) => [{ offset: pixelData.dataOffset + i * frameLength, length: frameLength }]);
}

/** Basic Offset Table values and fragment positions; only the 8-byte item headers are read. */
async function scanItems(source: ByteSource, start: number, bigEndian: boolean): Promise<{ offsetTable: number[]; fragments: Fragment[] }> {
  const items: Fragment[] = [];
  let offsetTable: number[] = [];
  let at = start;
  for (;;) {
    if (at + 8 > source.size) throw new DicomParseError('encapsulated Pixel Data has no Sequence Delimitation Item (FFFE,E0DD)');
    const header = await source.read(at, 8);
    const group = bigEndian ? header.readUInt16BE(0) : header.readUInt16LE(0);
    const element = bigEndian ? header.readUInt16BE(2) : header.readUInt16LE(2);
    const length = bigEndian ? header.readUInt32BE(4) : header.readUInt32LE(4);
    if (group === 0xfffe && element === 0xe0dd) break;
    if (group !== 0xfffe || element !== 0xe000 || length === UNDEFINED_LENGTH || at + 8 + length > source.size) {
      throw new OutOfBytesError(`encapsulated Pixel Data is corrupt at offset ${at}`);
    }
    if (at === start) {
      const table = await source.read(at + 8, length);
      offsetTable = Array.from({ length: length / 4 }, (_, i) => table.readUInt32LE(i * 4));
    } else {
      items.push({ offset: at + 8, length, itemOffset: at - start });
    }
    at += 8 + length;
  }
  return { offsetTable, fragments: items };
}

/**
 * Without an offset table and with more fragments than frames, each fragment's first bytes
 * tell whether a new frame starts there (JPEG SOI FFD8, JPEG 2000 SOC FF4F; PS3.5 A.4 notes).
 */
async function fragmentStarts(source: ByteSource, fragments: Fragment[], offsetTable: number[], frames: number): Promise<boolean[] | undefined> {
  if (frames <= 1 || offsetTable.length > 0 || fragments.length === frames) return undefined;
  const starts: boolean[] = [];
  for (const f of fragments) {
    const head = f.length >= 2 ? await source.read(f.offset, 2) : Buffer.alloc(2);
    starts.push(head[0] === 0xff && (head[1] === 0xd8 || head[1] === 0x4f));
  }
  return starts;
}

/** Concatenates the ranges, swapping words to little endian when asked. */
export async function readRanges(source: ByteSource, ranges: ByteRange[], swapWidth = 1): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const r of ranges) parts.push(Buffer.from(await source.read(r.offset, r.length)));
  const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  if (swapWidth === 2 && bytes.length % 2 === 0) bytes.swap16();
  else if (swapWidth === 4 && bytes.length % 4 === 0) bytes.swap32();
  else if (swapWidth === 8 && bytes.length % 8 === 0) bytes.swap64();
  return bytes;
}
