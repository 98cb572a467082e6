import * as dicomParser from 'dicom-parser';
import type { ByteSource } from './byte-source';
import { dataSetToJson } from './dataset-to-json';
import type { DicomJson } from './dicom-json';
import { DicomParseError } from './dicom-parse-error';
import { describeError } from './element-parser';
import { explicitLengthSize, tagName, vrText } from './element-encoding';

export interface FileMeta {
  /** From (0002,0010). */
  transferSyntaxUid: string;
  /** The File Meta group as DICOM JSON. */
  meta: DicomJson;
  /** Offset of the first data set byte, just after the File Meta group. */
  end: number;
}

const PREFIX_AT = 128;
const META_START = 132;
/** Without a group length the group ends at the first other tag; it must do so this early. */
const MAX_UNBOUNDED_META = 64 * 1024;
const UNDEFINED_LENGTH = 0xffffffff;

/**
 * Reads the File Meta Information (PS3.10 7.1): a 128-byte preamble, "DICM", then group 0002 in
 * explicit VR little endian, every element of which must parse.
 *
 * Its File Meta Information Group Length (0002,0000), Type 1, must be exactly the length of the
 * group. A wrong one is refused, not repaired: DCMTK bounds the group by it (given 0x7FFFFFFF it
 * reads the whole data set as File Meta and warns, leaving an empty data set), so a file stored as
 * is would be read differently by different peers; and this archive keeps the bytes it was sent,
 * so repairing would mean rewriting a sender's file. Only Part 10 files (STOW-RS, import) can
 * have one wrong, as the File Meta of a C-STORE is written here; `dcmconv` rewrites it on the
 * sender's side. A group without group length (older writers) is read up to the first other
 * group, as DCMTK and pydicom do.
 */
export async function readFileMeta(source: ByteSource): Promise<FileMeta> {
  const first = await source.read(0, Math.min(source.size, MAX_UNBOUNDED_META));
  if (first.length < META_START || first.toString('latin1', PREFIX_AT, META_START) !== 'DICM') {
    throw new DicomParseError('no "DICM" prefix at offset 128: not a DICOM Part 10 file');
  }
  const groupLength = declaredGroupLength(first);
  let bytes = first;
  let end: number;
  if (groupLength === undefined) {
    end = walkMeta(first, undefined, first.length === source.size);
  } else {
    end = META_START + 12 + groupLength;
    if (end > source.size) throw metaError(`its group length (0002,0000) says ${groupLength} bytes, more than the ${source.size - META_START - 12} left in the file`);
    if (end > first.length) bytes = await source.read(0, end);
    walkMeta(bytes, groupLength, true);
  }
  return { ...metaJson(bytes.subarray(0, end)), end };
}

/** (0002,0000) UL of length 4 as the first element, as PS3.10 7.1 requires, or undefined. */
function declaredGroupLength(bytes: Buffer): number | undefined {
  const present = bytes.length >= META_START + 12 && bytes.readUInt32LE(META_START) === 0x00000002 && bytes.toString('latin1', META_START + 4, META_START + 8) === 'UL\x04\x00';
  return present ? bytes.readUInt32LE(META_START + 8) : undefined;
}

/**
 * Checks each element of the group; returns the offset where it ends. With a group length every
 * element up to its end must be of group 0002 and the last one must end exactly there.
 */
function walkMeta(bytes: Buffer, groupLength: number | undefined, whole: boolean): number {
  const bounded = groupLength !== undefined;
  const limit = bounded ? META_START + 12 + groupLength : bytes.length;
  let at = META_START;
  while (at < limit) {
    if (limit - at < 8) return bounded ? mismatch(groupLength, `which ends inside the element at byte ${at}`) : unbounded(at, whole);
    const group = bytes.readUInt16LE(at);
    const tag = ((group << 16) | bytes.readUInt16LE(at + 2)) >>> 0;
    if (group !== 0x0002) return bounded ? mismatch(groupLength, `but the group ends after ${at - META_START - 12}, where ${tagName(tag)} starts`) : at;
    const vr = (bytes[at + 4] << 8) | bytes[at + 5];
    const lengthSize = explicitLengthSize(vr);
    if (!lengthSize) throw metaError(`${tagName(tag)} at byte ${at} has VR ${vrText(vr)}: File Meta elements are explicit VR little endian`);
    const headerSize = lengthSize === 2 ? 8 : 12;
    if (limit - at < headerSize) return bounded ? mismatch(groupLength, `which ends inside ${tagName(tag)} at byte ${at}`) : unbounded(at, whole);
    const length = lengthSize === 2 ? bytes.readUInt16LE(at + 6) : bytes.readUInt32LE(at + 8);
    if (length === UNDEFINED_LENGTH) throw metaError(`${tagName(tag)} at byte ${at} has undefined length`);
    const next = at + headerSize + length;
    if (next > limit) return bounded ? mismatch(groupLength, `which ends inside ${tagName(tag)} at byte ${at}`) : unbounded(at, whole);
    at = next;
  }
  // the whole file is File Meta: an empty data set, which the ingest refuses for what it lacks
  return bounded || whole ? at : unbounded(at, whole);
}

function mismatch(groupLength: number, how: string): never {
  throw metaError(`its group length (0002,0000) says ${groupLength} bytes, ${how}`);
}

/** A group without group length that reaches the end of what was read: the file's end, or too long a group. */
function unbounded(at: number, whole: boolean): never {
  if (whole) throw metaError(`the file ends inside the group, at the element at byte ${at}`);
  throw metaError(`no group length (0002,0000), and the group does not end in the first ${MAX_UNBOUNDED_META} bytes`);
}

function metaError(reason: string): DicomParseError {
  return new DicomParseError(`File Meta Information malformed (PS3.10 7.1): ${reason}`);
}

function metaJson(bytes: Buffer): Omit<FileMeta, 'end'> {
  let parsed: dicomParser.DataSet;
  let meta: DicomJson;
  try {
    parsed = dicomParser.readPart10Header(bytes);
    meta = dataSetToJson(parsed, { bigEndian: false });
  } catch (e) {
    throw new DicomParseError(`File Meta Information cannot be parsed: ${describeError(e)}`);
  }
  const transferSyntaxUid = parsed.string('x00020010')?.replace(/[\0 ]+$/, '');
  if (!transferSyntaxUid) throw new DicomParseError('no Transfer Syntax UID (0002,0010) in the File Meta Information');
  return { transferSyntaxUid, meta };
}
