// Feeds a DataSetWalker from a file: the bytes already in memory first, then only what the walk
// needs (element and item headers past skipped values), or the inflated stream of a deflated file.
import type { FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';
import type { FileSource, LazyFile } from './byte-source';
import { DicomParseError } from './dicom-parse-error';
import { describeError } from './element-parser';
import { DataSetEncoding, EXPLICIT_LITTLE } from './element-encoding';
import { DataSetWalker } from './structure-walker';

/** Read at once past the first bytes: a run of small fragments or elements costs one read per window. */
const WINDOW = 256 * 1024;
/** Read after skipping more than a window (a big fragment): the next header is all it needs. */
const SMALL_READ = 4 * 1024;
/** Inflated bytes walked at most: what an inflate bomb may cost before it is refused. */
const MAX_INFLATED = 4 * 1024 * 1024 * 1024;
/** The header of Pixel Data in any encoding (explicit VR OB/OW: 12 bytes). */
const PIXEL_DATA_HEADER = 12;

export interface WalkedFile {
  /** Where the header ends: after the header of top-level Pixel Data, or at the end of the file. */
  headerEnd: number;
}

/** Walks the data set of a file from `start` to the end of the file; values are skipped, not read. */
export async function walkFile(source: FileSource, start: number, encoding: DataSetEncoding): Promise<WalkedFile> {
  const walker = new DataSetWalker(encoding, { start, end: source.size });
  let readTo = start;
  for (let at = walker.needed; at < source.size; at = walker.needed) {
    const chunk = await source.readAvailable(at, at - readTo > WINDOW ? SMALL_READ : WINDOW);
    walker.push(chunk, at);
    readTo = at + chunk.length;
  }
  walker.end(source.size);
  const pixelData = walker.pixelDataOffset;
  return { headerEnd: pixelData === undefined ? source.size : Math.min(source.size, pixelData + PIXEL_DATA_HEADER) };
}

export interface WalkedDeflated {
  /** The inflated data set up to (and including) the header of Pixel Data, or all of it. */
  header: Buffer;
}

/**
 * Inflates a deflated data set (PS3.5 A.5) as a stream and walks it; keeps only the inflated bytes
 * up to Pixel Data, at most `maxHeader` of them.
 */
export async function walkDeflated(file: LazyFile, start: number, maxHeader: number): Promise<WalkedDeflated> {
  const walker = new DataSetWalker(EXPLICIT_LITTLE, { inflated: true });
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let inflated = 0;
  await inflateInto(await file.get(), start, (chunk) => {
    inflated += chunk.length;
    if (inflated > MAX_INFLATED) throw new DicomParseError(`deflated data set inflates to more than ${MAX_INFLATED} bytes`);
    walker.push(chunk);
    const pixelData = walker.pixelDataOffset;
    if (pixelData !== undefined && keptBytes >= pixelData + PIXEL_DATA_HEADER) return;
    kept.push(chunk);
    keptBytes += chunk.length;
    if (keptBytes > maxHeader && (pixelData === undefined || pixelData + PIXEL_DATA_HEADER > maxHeader)) {
      throw new DicomParseError(`inflated data set before Pixel Data is larger than ${maxHeader} bytes`);
    }
  });
  walker.end();
  return { header: Buffer.concat(kept, keptBytes) };
}

/**
 * Streams the file from `start` through raw inflate into `take`. Not a pipeline: inflate ends its
 * output at the end of the deflate stream even when input remains, which a pipeline reports as a
 * premature close; and input does remain when a sender pads an odd-length deflated data set to an
 * even length (DCMTK's storescu does, about every other instance).
 */
function inflateInto(handle: FileHandle, start: number, take: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const compressed = handle.createReadStream({ start, autoClose: false, highWaterMark: WINDOW });
    const inflate = createInflateRaw({ chunkSize: 64 * 1024 });
    let settled = false;
    const settle = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      compressed.destroy();
      inflate.destroy();
      if (err) reject(err);
      else resolve();
    };
    inflate.on('data', (chunk: Buffer) => {
      try {
        take(chunk);
      } catch (err) {
        settle(err);
      }
    });
    inflate.on('end', () => settle());
    inflate.on('error', (err) => settle(new DicomParseError(`deflated data set cannot be inflated (truncated or corrupt): ${describeError(err)}`)));
    compressed.on('error', (err) => settle(err));
    compressed.pipe(inflate);
  });
}
