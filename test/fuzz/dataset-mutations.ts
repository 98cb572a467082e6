// Malformed data sets made from a valid one, the way broken writers and hostile peers make them:
// wrong VRs, lengths past the end, truncation, sequences without delimiters, NUL in text, wrong
// group lengths. Explicit VR little endian is mutated element by element; other syntaxes byte-wise.
import { mutateBytes, Prng } from './prng';

interface ElementAt {
  offset: number;
  tag: number;
  vr: string;
  headerLength: number;
  valueLength: number;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UT']);
const PIXEL_DATA = 0x7fe00010;

/** Top-level elements of an explicit VR little endian data set, up to and including Pixel Data. */
export function topLevelElements(dataset: Buffer): ElementAt[] {
  const out: ElementAt[] = [];
  for (let at = 0; at + 8 <= dataset.length; ) {
    const tag = ((dataset.readUInt16LE(at) << 16) | dataset.readUInt16LE(at + 2)) >>> 0;
    const vr = dataset.toString('latin1', at + 4, at + 6);
    const long = LONG_VRS.has(vr);
    const headerLength = long ? 12 : 8;
    const valueLength = long ? dataset.readUInt32LE(at + 8) : dataset.readUInt16LE(at + 6);
    out.push({ offset: at, tag, vr, headerLength, valueLength });
    if (tag === PIXEL_DATA || valueLength === 0xffffffff) break;
    at += headerLength + valueLength;
  }
  return out;
}

function replace(buf: Buffer, at: number, length: number, insert: Buffer): Buffer {
  return Buffer.concat([buf.subarray(0, at), insert, buf.subarray(at + length)]);
}

const MUTATIONS: Record<string, (rng: Prng, ds: Buffer, elements: ElementAt[]) => Buffer> = {
  'bytes in the header': (rng, ds, els) => {
    const pixel = els.find((e) => e.tag === PIXEL_DATA);
    const headerEnd = pixel ? pixel.offset + pixel.headerLength : ds.length;
    return Buffer.concat([mutateBytes(rng, ds.subarray(0, headerEnd)), ds.subarray(headerEnd)]);
  },
  'unknown VR': (rng, ds, els) => {
    const e = rng.pick(els);
    return replace(ds, e.offset + 4, 2, Buffer.from(rng.pick(['SJ', 'XX', 'sq', '\0\0', '  ', 'Z9']), 'latin1'));
  },
  'wrong but valid VR': (rng, ds, els) => {
    const e = rng.pick(els);
    return replace(ds, e.offset + 4, 2, Buffer.from(rng.pick(['SQ', 'OB', 'UN', 'UT', 'US', 'FD', 'AT']), 'latin1'));
  },
  'length past the end': (rng, ds, els) => {
    const e = rng.pick(els);
    const length = Buffer.alloc(e.headerLength === 12 ? 4 : 2);
    if (length.length === 4) length.writeUInt32LE(rng.awkwardLength() >>> 0);
    else length.writeUInt16LE(rng.int(0, 0xffff));
    return replace(ds, e.offset + (e.headerLength === 12 ? 8 : 6), length.length, length);
  },
  truncated: (rng, ds) => ds.subarray(0, rng.int(1, Math.max(1, ds.length - 1))),
  'NUL and control characters in text': (rng, ds, els) => {
    const texts = els.filter((e) => TEXT_VRS.has(e.vr) && e.valueLength > 0);
    if (texts.length === 0) return ds;
    const e = rng.pick(texts);
    const at = e.offset + e.headerLength + rng.int(0, e.valueLength - 1);
    return replace(ds, at, 1, Buffer.from([rng.pick([0x00, 0x01, 0x1b, 0x7f, 0xff])]));
  },
  'sequence without delimiters': (rng, ds, els) => {
    const e = rng.pick(els);
    const seq = Buffer.from([0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]);
    return replace(ds, e.offset, 0, Buffer.concat([seq, rng.bytes(rng.int(0, 16))]));
  },
  'delimiter outside a sequence': (rng, ds, els) => {
    const e = rng.pick(els);
    const delimiter = rng.pick([Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]), Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]), Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0x10, 0, 0, 0])]);
    return replace(ds, e.offset, 0, delimiter);
  },
  'garbage after the data set': (rng, ds) => Buffer.concat([ds, rng.bytes(rng.int(1, 64))]),
  'elements out of order': (rng, ds, els) => {
    if (els.length < 3) return ds;
    const i = rng.int(0, els.length - 3);
    const a = els[i];
    const b = els[i + 1];
    const aBytes = ds.subarray(a.offset, b.offset);
    const bBytes = ds.subarray(b.offset, b.offset + b.headerLength + b.valueLength);
    return Buffer.concat([ds.subarray(0, a.offset), bBytes, aBytes, ds.subarray(b.offset + b.headerLength + b.valueLength)]);
  },
  'pixel data of undefined length without fragments': (_rng, ds, els) => {
    const pixel = els.find((e) => e.tag === PIXEL_DATA);
    if (!pixel || pixel.headerLength !== 12) return ds;
    return replace(ds, pixel.offset + 8, 4, Buffer.from([0xff, 0xff, 0xff, 0xff]));
  },
};

export const DATASET_MUTATIONS = Object.keys(MUTATIONS);

/** A mutated copy of an explicit VR little endian data set, and the name of what was done. */
export function mutateDataset(rng: Prng, dataset: Buffer): { bytes: Buffer; mutation: string } {
  const mutation = rng.pick(DATASET_MUTATIONS);
  const elements = topLevelElements(dataset);
  return { bytes: elements.length === 0 ? mutateBytes(rng, dataset) : MUTATIONS[mutation](rng, dataset, elements), mutation };
}
