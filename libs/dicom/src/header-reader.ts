import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import * as dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { ByteSource, FileSource, LazyFile, MemorySource } from './byte-source';
import { dataSetToJson, OutOfBytesError } from './dataset-to-json';
import { describeError as describe, parseElements, PIXEL_DATA } from './element-parser';
import type { DicomJson } from './dicom-json';
import { checkPixelDataFits } from './pixel-data-check';
import { TransferSyntax } from './transfer-syntax';

export class DicomParseError extends Error {
  readonly code = 'dicom-unparsable';
}

export interface InstanceHeader {
  /** From the File Meta (0002,0010). */
  transferSyntaxUid: string;
  /** File Meta group as DICOM JSON. */
  meta: DicomJson;
  /** The dataset up to (not including) Pixel Data, bulk binary values left out, as DICOM JSON. */
  dataset: DicomJson;
}

const FIRST_READ = 256 * 1024;
/** Largest non-pixel part (or whole deflated file) we agree to hold in memory. */
const MAX_HEADER = 256 * 1024 * 1024;
const PREAMBLE = 128;
const SKIP_PIXEL_DATA: ReadonlySet<string> = new Set([PIXEL_DATA]);
const inflateRawAsync = promisify(inflateRaw);

interface FileMeta {
  transferSyntaxUid: string;
  meta: DicomJson;
  /** Offset of the first data set byte, just after the File Meta group. */
  end: number;
}

/**
 * Reads the Part 10 header and the dataset up to Pixel Data from a file (or from its first bytes
 * when `known` gives them with the file size), without reading the pixel data into memory. Throws DicomParseError when the file is not Part 10, cannot be
 * parsed, or is truncated (the declared Pixel Data length, or the encapsulated sequence
 * delimiter, does not fit the file size).
 */
export async function readInstanceHeader(path: string, known?: { size: number; head: Buffer }): Promise<InstanceHeader> {
  // When the caller already holds the first bytes (the receiver kept them), the file is opened
  // only if the header or a pixel-data check needs more.
  const file = new LazyFile(path);
  try {
    const { size, head } = known ?? (await sizeAndHead(file));
    const source = new FileSource(file, size, head);
    const first = head;
    const meta = parseFileMeta(first);
    const dataset =
      meta.transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian
        ? await readDeflated(source, meta)
        : await readPlain(source, meta, first);
    return { transferSyntaxUid: meta.transferSyntaxUid, meta: meta.meta, dataset };
  } finally {
    await file.close();
  }
}

// Size and first bytes are fetched in parallel: each is a thread-pool round trip on the hot ingest path.
async function sizeAndHead(file: LazyFile): Promise<{ size: number; head: Buffer }> {
  const handle = await file.get();
  const head = Buffer.allocUnsafe(FIRST_READ);
  const [stat, { bytesRead }] = await Promise.all([handle.stat(), handle.read(head, 0, FIRST_READ, 0)]);
  return { size: stat.size, head: head.subarray(0, bytesRead) };
}

// PS3.10 7.1: preamble, "DICM", then group 0002 in explicit VR little endian.
function parseFileMeta(bytes: Buffer): FileMeta {
  if (bytes.length < PREAMBLE + 4 || bytes.toString('latin1', PREAMBLE, PREAMBLE + 4) !== 'DICM') {
    throw new DicomParseError('no "DICM" prefix at offset 128: not a DICOM Part 10 file');
  }
  let parsed: DataSet & { position?: number };
  let meta: DicomJson;
  try {
    parsed = dicomParser.readPart10Header(metaBytes(bytes));
    meta = dataSetToJson(parsed, { bigEndian: false });
  } catch (e) {
    throw new DicomParseError(`File Meta Information cannot be parsed: ${describe(e)}`);
  }
  const transferSyntaxUid = parsed.string('x00020010')?.replace(/\0+$/, '');
  if (!transferSyntaxUid) throw new DicomParseError('no Transfer Syntax UID (0002,0010) in the File Meta Information');
  return { transferSyntaxUid, meta, end: parsed.position ?? 0 };
}

// The group length (0002,0000) bounds the meta group, so the first data set element is never
// read as explicit VR when the data set is implicit VR.
function metaBytes(bytes: Buffer): Buffer {
  const start = PREAMBLE + 4;
  const hasGroupLength = bytes.length >= start + 12 && bytes.readUInt32LE(start) === 0x00000002 && bytes.toString('latin1', start + 4, start + 6) === 'UL';
  return hasGroupLength ? bytes.subarray(0, Math.min(bytes.length, start + 12 + bytes.readUInt32LE(start + 8))) : bytes;
}

// Reads a growing prefix of the file (doubling) until the data set up to Pixel Data fits.
async function readPlain(source: FileSource, meta: FileMeta, first: Buffer): Promise<DicomJson> {
  let bytes = first;
  for (;;) {
    const whole = bytes.length === source.size;
    const parsed = parseDataSet(bytes, meta.end, meta.transferSyntaxUid, whole);
    if (parsed) {
      await checkPixelData(source, parsed.pixelData, meta.transferSyntaxUid);
      return parsed.dataset;
    }
    if (bytes.length >= MAX_HEADER) throw new DicomParseError(`data set before Pixel Data is larger than ${MAX_HEADER} bytes`);
    bytes = await source.read(0, Math.min(source.size, bytes.length * 2, MAX_HEADER));
  }
}

// Deflated explicit VR LE deflates everything after the File Meta (PS3.5 A.5), so the whole file is inflated.
async function readDeflated(source: FileSource, meta: FileMeta): Promise<DicomJson> {
  if (source.size > MAX_HEADER) throw new DicomParseError(`deflated file larger than ${MAX_HEADER} bytes`);
  const file = await source.read(0, source.size);
  let inflated: Buffer;
  try {
    inflated = await inflateRawAsync(file.subarray(meta.end));
  } catch (e) {
    throw new DicomParseError(`deflated data set cannot be inflated (truncated or corrupt): ${describe(e)}`);
  }
  const parsed = parseDataSet(inflated, 0, meta.transferSyntaxUid, true);
  if (!parsed) throw new DicomParseError('deflated data set cannot be parsed');
  await checkPixelData(new MemorySource(inflated), parsed.pixelData, meta.transferSyntaxUid);
  return parsed.dataset;
}

interface ParsedDataSet {
  dataset: DicomJson;
  pixelData?: Element;
}

/** Undefined when more bytes are needed (only when `whole` is false). */
function parseDataSet(bytes: Buffer, start: number, transferSyntaxUid: string, whole: boolean): ParsedDataSet | undefined {
  const bigEndian = transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian;
  try {
    const ds = parseElements(bytes, start, transferSyntaxUid);
    const pixelData = ds.elements[PIXEL_DATA];
    if (!pixelData && !whole) return undefined;
    return { dataset: dataSetToJson(ds, { bigEndian, skip: SKIP_PIXEL_DATA }), pixelData };
  } catch (e) {
    if (!whole) return undefined;
    if (e instanceof OutOfBytesError) throw new DicomParseError(`file is truncated: ${e.message}`);
    throw new DicomParseError(`data set cannot be parsed: ${describe(e)}`);
  }
}

async function checkPixelData(source: ByteSource, pixelData: Element | undefined, transferSyntaxUid: string): Promise<void> {
  if (!pixelData) return;
  const problem = await checkPixelDataFits(source, pixelData, transferSyntaxUid);
  if (problem) throw new DicomParseError(problem);
}
