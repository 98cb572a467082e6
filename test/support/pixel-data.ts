// Pixel Data for generated instances: a gradient frame, its encodings (native little and big
// endian, JPEG baseline, RLE lossless) and the bytes of the (7FE0,0010) element around them, or
// around bytes the caller chose.
// Every frame is computed once per geometry and cached: writing thousands of files reuses it.
import { encode as encodeJpeg } from 'jpeg-js';

export interface ImageGeometry {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
}

export type PixelEncoding = 'implicit-le' | 'explicit-le' | 'explicit-be' | 'jpeg-baseline' | 'rle';

const cache = new Map<string, Buffer>();

function cached(kind: string, g: ImageGeometry, make: () => Buffer): Buffer {
  const key = `${kind}:${g.rows}x${g.columns}x${g.bitsAllocated}`;
  let value = cache.get(key);
  if (!value) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** Diagonal ramp; 16-bit values stay within 12 bits (Bits Stored 12, as most CT). */
export function gradientFrame(g: ImageGeometry): Buffer {
  return cached('native', g, () => {
    const max = g.bitsAllocated === 16 ? 4095 : 255;
    const span = Math.max(1, g.rows + g.columns - 2);
    const bytesPerPixel = g.bitsAllocated / 8;
    const frame = Buffer.alloc(g.rows * g.columns * bytesPerPixel);
    for (let y = 0; y < g.rows; y++) {
      for (let x = 0; x < g.columns; x++) {
        const value = Math.round(((x + y) * max) / span);
        const at = (y * g.columns + x) * bytesPerPixel;
        if (bytesPerPixel === 2) frame.writeUInt16LE(value, at);
        else frame[at] = value;
      }
    }
    return frame;
  });
}

function bigEndianFrame(g: ImageGeometry): Buffer {
  if (g.bitsAllocated === 8) return gradientFrame(g);
  return cached('native-be', g, () => Buffer.from(gradientFrame(g)).swap16());
}

/** jpeg-js always writes 3-component YCbCr 4:4:4, so the DICOM image is YBR_FULL, 8 bits. */
function jpegFrame(g: ImageGeometry): Buffer {
  return cached('jpeg', g, () => {
    const gray = gradientFrame({ ...g, bitsAllocated: 8 });
    const rgba = Buffer.alloc(gray.length * 4, 0xff);
    for (let i = 0; i < gray.length; i++) rgba.fill(gray[i], i * 4, i * 4 + 3);
    return encodeJpeg({ width: g.columns, height: g.rows, data: rgba }, 90).data;
  });
}

function startsRun(src: Buffer, at: number, end: number): boolean {
  return at + 2 < end && src[at] === src[at + 1] && src[at] === src[at + 2];
}

/** PackBits one row (PS3.5 G.3.1): replicate runs of 2..128, literal runs of 1..128. */
function packBitsRow(src: Buffer, start: number, end: number, out: Buffer, at: number): number {
  let i = start;
  while (i < end) {
    let run = 1;
    while (i + run < end && run < 128 && src[i + run] === src[i]) run++;
    if (run >= 2) {
      out[at++] = 257 - run;
      out[at++] = src[i];
      i += run;
      continue;
    }
    let literalEnd = i + 1;
    // A literal run stops where a run of three starts: shorter repeats cost as much either way.
    while (literalEnd < end && literalEnd - i < 128 && !startsRun(src, literalEnd, end)) literalEnd++;
    out[at++] = literalEnd - i - 1;
    at += src.copy(out, at, i, literalEnd);
    i = literalEnd;
  }
  return at;
}

/** One byte plane: most significant byte first (PS3.5 G.2), each row encoded on its own. */
function rleSegment(g: ImageGeometry, byteIndex: number): Buffer {
  const frame = gradientFrame(g);
  const bytesPerPixel = g.bitsAllocated / 8;
  const plane = Buffer.alloc(g.rows * g.columns);
  for (let p = 0; p < plane.length; p++) plane[p] = frame[p * bytesPerPixel + byteIndex];
  // Worst case (alternating literal-1 and replicate-2 runs) is well under 2 bytes per byte.
  const out = Buffer.alloc(plane.length * 2 + 2);
  let at = 0;
  for (let y = 0; y < g.rows; y++) at = packBitsRow(plane, y * g.columns, (y + 1) * g.columns, out, at);
  return out.subarray(0, at + (at % 2));
}

/** RLE frame (PS3.5 G.4): 64-byte header (segment count, 15 offsets) then the segments. */
function rleFrame(g: ImageGeometry): Buffer {
  return cached('rle', g, () => {
    // Little-endian frame: byte 1 of a 16-bit pixel is its most significant byte.
    const segments = g.bitsAllocated === 16 ? [rleSegment(g, 1), rleSegment(g, 0)] : [rleSegment(g, 0)];
    const header = Buffer.alloc(64);
    header.writeUInt32LE(segments.length, 0);
    let offset = 64;
    segments.forEach((segment, i) => {
      header.writeUInt32LE(offset, 4 + 4 * i);
      offset += segment.length;
    });
    return Buffer.concat([header, ...segments]);
  });
}

function item(tagElement: number, length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(0xfffe, 0);
  b.writeUInt16LE(tagElement, 2);
  b.writeUInt32LE(length, 4);
  return b;
}

/**
 * Encapsulated Pixel Data (PS3.5 A.4): OB, undefined length, the Basic Offset Table item (its
 * offsets as given, none for an empty table), one item per fragment (padded to even length).
 */
function encapsulated(fragments: Buffer[], offsets: number[] = []): Buffer[] {
  const head = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const table = Buffer.alloc(4 * offsets.length);
  offsets.forEach((offset, i) => table.writeUInt32LE(offset, 4 * i));
  const items = fragments.flatMap((fragment) => {
    const pad = fragment.length % 2 ? [Buffer.alloc(1)] : [];
    return [item(0xe000, fragment.length + pad.length), fragment, ...pad];
  });
  return [head, item(0xe000, table.length), table, ...items, item(0xe0dd, 0)];
}

/** Header of a native (7FE0,0010) element in the byte order and VR mode of the syntax. */
function nativeHead(encoding: PixelEncoding, vr: 'OB' | 'OW', length: number): Buffer {
  if (encoding === 'implicit-le') {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(0x7fe0, 0);
    b.writeUInt16LE(0x0010, 2);
    b.writeUInt32LE(length, 4);
    return b;
  }
  const b = Buffer.alloc(12);
  const bigEndian = encoding === 'explicit-be';
  b[bigEndian ? 'writeUInt16BE' : 'writeUInt16LE'](0x7fe0, 0);
  b[bigEndian ? 'writeUInt16BE' : 'writeUInt16LE'](0x0010, 2);
  b.write(vr, 4, 'latin1');
  b[bigEndian ? 'writeUInt32BE' : 'writeUInt32LE'](length, 8);
  return b;
}

/**
 * The complete Pixel Data element as chunks (not concatenated, so the caller copies the
 * large frame once, into the final file buffer).
 */
export function pixelDataElement(encoding: PixelEncoding, g: ImageGeometry): Buffer[] {
  if (encoding === 'jpeg-baseline') return encapsulated([jpegFrame(g)], [0]);
  if (encoding === 'rle') return encapsulated([rleFrame(g)], [0]);
  return nativeElement(encoding, g, encoding === 'explicit-be' ? bigEndianFrame(g) : gradientFrame(g));
}

/**
 * The Pixel Data element around bytes the caller chose: native bytes as given (already in the
 * byte order of the syntax), or encapsulated fragments after an empty Basic Offset Table.
 */
export function givenPixelDataElement(encoding: PixelEncoding | undefined, g: ImageGeometry, given: { native?: Buffer; fragments?: Buffer[] }): Buffer[] {
  if (given.fragments) return encapsulated(given.fragments);
  if (!encoding || encoding === 'jpeg-baseline' || encoding === 'rle') throw new Error('generator: native Pixel Data needs a native transfer syntax');
  return nativeElement(encoding, g, given.native ?? Buffer.alloc(0));
}

function nativeElement(encoding: PixelEncoding, g: ImageGeometry, frame: Buffer): Buffer[] {
  const pad = frame.length % 2 ? [Buffer.alloc(1)] : [];
  const vr = g.bitsAllocated === 16 ? 'OW' : 'OB';
  return [nativeHead(encoding, vr, frame.length + pad.length), frame, ...pad];
}
