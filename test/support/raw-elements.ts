// Puts elements with exactly chosen bytes into a Part 10 file from the generator: legacy and
// malformed values (a 10-character DA, NUL padding, an over-long LO) that dcmjs refuses to write
// or would correct. Little endian data sets only (explicit or implicit VR), top level only.
// The bytes are made by dicom-bytes.ts.
import { el, EXPLICIT, IMPLICIT, item, LONG_VRS, seq, UNDEFINED } from './dicom-bytes';

export interface RawElement {
  /** 8 hex digits, e.g. '00080020'. */
  tag: string;
  vr: string;
  /** The value bytes as they go on the wire (a string is written as latin1); even length. */
  value: Buffer | string;
}

const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

/** One element's bytes: tag, VR (explicit only), length, value (PS3.5 7.1). */
export function encodeElement(element: RawElement, explicit: boolean): Buffer {
  const value = typeof element.value === 'string' ? Buffer.from(element.value, 'latin1') : element.value;
  if (value.length % 2 !== 0) throw new Error(`raw element ${element.tag}: odd value length ${value.length}`);
  return el(explicit ? EXPLICIT : IMPLICIT, parseInt(element.tag, 16), element.vr, value);
}

/**
 * A sequence of defined length whose items hold the given (already encoded) elements, as DCMTK's
 * storescu sends sequences (so what the server stores is these bytes).
 */
export function encodeSequence(tag: string, items: Buffer[], explicit: boolean): Buffer {
  const enc = explicit ? EXPLICIT : IMPLICIT;
  return seq(enc, parseInt(tag, 16), items.map((content) => item(enc, content)));
}

/**
 * The file with `elements` in its data set at their place in tag order, replacing elements of
 * the same tag; `encoded` holds elements already encoded (e.g. a sequence), keyed by tag.
 */
export function withRawElements(part10: Buffer, elements: RawElement[], encoded: Record<string, Buffer> = {}): Buffer {
  const start = 144 + part10.readUInt32LE(140);
  const explicit = !part10.subarray(132, start).includes(Buffer.from(`${IMPLICIT_VR_LITTLE_ENDIAN}\0`, 'latin1'));
  const added = new Map<string, Buffer>(Object.entries(encoded).map(([tag, bytes]) => [tag.toUpperCase(), bytes]));
  for (const element of elements) added.set(element.tag.toUpperCase(), encodeElement(element, explicit));
  const out: Buffer[] = [part10.subarray(0, start)];
  const pending = [...added.keys()].sort();
  let at = start;
  while (at < part10.length) {
    const tag = tagAt(part10, at);
    const end = elementEnd(part10, at, explicit);
    while (pending.length && pending[0] < tag) out.push(added.get(pending.shift() as string) as Buffer);
    if (pending[0] === tag) out.push(added.get(pending.shift() as string) as Buffer);
    else out.push(part10.subarray(at, end));
    at = end;
  }
  for (const tag of pending) out.push(added.get(tag) as Buffer);
  return Buffer.concat(out);
}

function tagAt(bytes: Buffer, at: number): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  return hex(bytes.readUInt16LE(at)) + hex(bytes.readUInt16LE(at + 2));
}

/** Where the element at `at` ends, undefined-length sequences and items included. */
function elementEnd(bytes: Buffer, at: number, explicit: boolean): number {
  if (bytes.readUInt16LE(at) === 0xfffe) return at + 8 + itemLength(bytes, at, explicit);
  let length: number;
  let valueAt: number;
  const vr = bytes.toString('latin1', at + 4, at + 6);
  if (explicit && !LONG_VRS.has(vr)) [length, valueAt] = [bytes.readUInt16LE(at + 6), at + 8];
  else if (explicit) [length, valueAt] = [bytes.readUInt32LE(at + 8), at + 12];
  else [length, valueAt] = [bytes.readUInt32LE(at + 4), at + 8];
  return length === UNDEFINED ? undefinedEnd(bytes, valueAt, explicit, 0xe0dd) : valueAt + length;
}

function itemLength(bytes: Buffer, at: number, explicit: boolean): number {
  const length = bytes.readUInt32LE(at + 4);
  return length === UNDEFINED ? undefinedEnd(bytes, at + 8, explicit, 0xe00d) - at - 8 : length;
}

/** Scans to the delimiter (FFFE,E0DD sequence, FFFE,E00D item) that ends an undefined length. */
function undefinedEnd(bytes: Buffer, at: number, explicit: boolean, delimiter: number): number {
  while (!(bytes.readUInt16LE(at) === 0xfffe && bytes.readUInt16LE(at + 2) === delimiter)) at = elementEnd(bytes, at, explicit);
  return at + 8;
}
