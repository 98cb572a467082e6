import type { Element } from 'dicom-parser';
import type { ByteSource } from './byte-source';
import { OutOfBytesError } from './dataset-to-json';
import { describeError, parseElements, PIXEL_DATA } from './element-parser';
import { TransferSyntax } from './transfer-syntax';

const UNDEFINED_LENGTH = 0xffffffff;
const ITEM = 0xe000;
const SEQUENCE_DELIMITER = 0xe0dd;
/** Elements after Pixel Data (e.g. Data Set Trailing Padding) are parsed only when this small. */
const MAX_TRAILER = 1024 * 1024;

/**
 * Checks, without reading pixel values, that Pixel Data ends inside the file and that what
 * follows it parses. Returns why the file is truncated or corrupt, or undefined when it is whole.
 */
export async function checkPixelDataFits(source: ByteSource, pixelData: Element, transferSyntaxUid: string): Promise<string | undefined> {
  const bigEndian = transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian;
  let end: number;
  if (pixelData.length === UNDEFINED_LENGTH) {
    const scanned = await scanFragments(source, pixelData.dataOffset, bigEndian);
    if (typeof scanned === 'string') return scanned;
    end = scanned;
  } else {
    end = pixelData.dataOffset + pixelData.length;
    if (end > source.size) return `file is truncated: Pixel Data needs ${end} bytes, the file has ${source.size}`;
  }
  return end === source.size ? undefined : checkTrailer(source, end, transferSyntaxUid);
}

// Encapsulated Pixel Data is a sequence of items ended by a Sequence Delimitation Item (PS3.5 A.4).
// Only the 8-byte item headers are read.
async function scanFragments(source: ByteSource, start: number, bigEndian: boolean): Promise<number | string> {
  let at = start;
  for (;;) {
    if (at + 8 > source.size) return 'file is truncated: encapsulated Pixel Data has no Sequence Delimitation Item (FFFE,E0DD)';
    const header = await source.read(at, 8);
    const group = bigEndian ? header.readUInt16BE(0) : header.readUInt16LE(0);
    const element = bigEndian ? header.readUInt16BE(2) : header.readUInt16LE(2);
    const length = bigEndian ? header.readUInt32BE(4) : header.readUInt32LE(4);
    if (group === 0xfffe && element === SEQUENCE_DELIMITER) return at + 8;
    if (group !== 0xfffe || element !== ITEM || length === UNDEFINED_LENGTH) {
      return `encapsulated Pixel Data is corrupt: unexpected item header at offset ${at}`;
    }
    at += 8 + length;
  }
}

async function checkTrailer(source: ByteSource, start: number, transferSyntaxUid: string): Promise<string | undefined> {
  const length = source.size - start;
  if (length > MAX_TRAILER) return `${length} unexpected bytes after Pixel Data`;
  const bytes = Buffer.from(await source.read(start, length));
  try {
    const ds = parseElements(bytes, 0, transferSyntaxUid);
    for (const el of Object.values(ds.elements)) {
      if (el.tag === PIXEL_DATA) return 'a second Pixel Data element follows Pixel Data';
      if (el.length !== UNDEFINED_LENGTH && el.dataOffset + el.length > bytes.length) {
        throw new OutOfBytesError(`element ${el.tag} after Pixel Data runs past the end of the file`);
      }
    }
    return undefined;
  } catch (e) {
    return `file is truncated or corrupt after Pixel Data: ${describeError(e)}`;
  }
}
