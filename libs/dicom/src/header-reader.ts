import { FileSource, LazyFile } from './byte-source';
import { dataSetToJson, OutOfBytesError } from './dataset-to-json';
import type { DicomJson } from './dicom-json';
import { DicomParseError } from './dicom-parse-error';
import { dataSetEncoding } from './element-encoding';
import { describeError as describe, parseElements, PIXEL_DATA } from './element-parser';
import { FileMeta, readFileMeta } from './file-meta-reader';
import { walkDeflated, walkFile } from './structure-walk';
import { TransferSyntax } from './transfer-syntax';

export interface InstanceHeader {
  /** From the File Meta (0002,0010). */
  transferSyntaxUid: string;
  /** File Meta group as DICOM JSON. */
  meta: DicomJson;
  /** The dataset up to (not including) Pixel Data, bulk binary values left out, as DICOM JSON. */
  dataset: DicomJson;
}

const FIRST_READ = 256 * 1024;
/** Largest non-pixel part of a data set we agree to hold in memory. */
const MAX_HEADER = 256 * 1024 * 1024;
const SKIP_PIXEL_DATA: ReadonlySet<string> = new Set([PIXEL_DATA]);

/**
 * Checks that a Part 10 file parses from its first byte to its last, then reads its header and
 * its data set up to Pixel Data (from its first bytes when `known` gives them with the file size).
 * The check covers the File Meta (PS3.10 7.1) and every element, sequence, item and fragment of
 * the data set (PS3.5 7, A.4), a deflated one as it inflates (PS3.5 A.5); values are skipped by
 * their length, so pixel data is never read. Throws DicomParseError, with the offset where the
 * structure broke.
 */
export async function readInstanceHeader(path: string, known?: { size: number; head: Buffer }): Promise<InstanceHeader> {
  // When the caller already holds the first bytes (the receiver kept them), the file is opened
  // only if the walk or the header needs bytes past them.
  const file = new LazyFile(path);
  try {
    const { size, head } = known ?? (await sizeAndHead(file));
    const source = new FileSource(file, size, head);
    const meta = await readFileMeta(source);
    const dataset =
      meta.transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian ? await readDeflated(file, meta) : await readPlain(source, meta);
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

async function readPlain(source: FileSource, meta: FileMeta): Promise<DicomJson> {
  const { headerEnd } = await walkFile(source, meta.end, dataSetEncoding(meta.transferSyntaxUid));
  if (headerEnd > MAX_HEADER) throw new DicomParseError(`data set before Pixel Data is larger than ${MAX_HEADER} bytes`);
  return parseDataSet(await source.read(0, headerEnd), meta.end, meta.transferSyntaxUid);
}

async function readDeflated(file: LazyFile, meta: FileMeta): Promise<DicomJson> {
  const { header } = await walkDeflated(file, meta.end, MAX_HEADER);
  return parseDataSet(header, 0, meta.transferSyntaxUid);
}

/** The data set up to Pixel Data as DICOM JSON; `bytes` end after the header of Pixel Data, or hold all of it. */
function parseDataSet(bytes: Buffer, start: number, transferSyntaxUid: string): DicomJson {
  const bigEndian = transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian;
  try {
    return dataSetToJson(parseElements(bytes, start, transferSyntaxUid), { bigEndian, skip: SKIP_PIXEL_DATA });
  } catch (e) {
    if (e instanceof OutOfBytesError) throw new DicomParseError(`file is truncated: ${e.message}`);
    throw new DicomParseError(`data set cannot be parsed: ${describe(e)}`);
  }
}
