// Hand-made data set bytes for the structure specs and end-to-end tests: elements, items and
// delimiters in any encoding, with any length written, so that broken structures are as easy to
// make as valid ones.

export const UNDEFINED = 0xffffffff;
/** VRs with a 4-byte length after two reserved bytes in explicit VR (PS3.5 7.1.2). */
export const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export interface Enc {
  explicitVr: boolean;
  littleEndian: boolean;
}
export const IMPLICIT: Enc = { explicitVr: false, littleEndian: true };
export const EXPLICIT: Enc = { explicitVr: true, littleEndian: true };
export const BIG: Enc = { explicitVr: true, littleEndian: false };

function u16(n: number, enc: Enc): Buffer {
  const b = Buffer.alloc(2);
  if (enc.littleEndian) b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return b;
}

function u32(n: number, enc: Enc): Buffer {
  const b = Buffer.alloc(4);
  if (enc.littleEndian) b.writeUInt32LE(n);
  else b.writeUInt32BE(n);
  return b;
}

function tagBytes(tag: number, enc: Enc): Buffer {
  return Buffer.concat([u16(tag >>> 16, enc), u16(tag & 0xffff, enc)]);
}

/** An element; `length` overrides the written length (default: the value's). VR ignored in implicit VR. */
export function el(enc: Enc, tag: number, vr: string, value: Buffer | string = Buffer.alloc(0), length?: number): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const len = length ?? v.length;
  if (!enc.explicitVr) return Buffer.concat([tagBytes(tag, enc), u32(len, enc), v]);
  const vrBytes = Buffer.from(vr, 'latin1');
  if (LONG_VRS.has(vr)) return Buffer.concat([tagBytes(tag, enc), vrBytes, Buffer.alloc(2), u32(len, enc), v]);
  return Buffer.concat([tagBytes(tag, enc), vrBytes, u16(len, enc), v]);
}

/** An item (FFFE,E000) holding `content`; undefined length adds its Item Delimitation Item. */
export function item(enc: Enc, content: Buffer, undefinedLength = false): Buffer {
  if (!undefinedLength) return Buffer.concat([tagBytes(0xfffee000, enc), u32(content.length, enc), content]);
  return Buffer.concat([tagBytes(0xfffee000, enc), u32(UNDEFINED, enc), content, delimiter(enc, 0xfffee00d)]);
}

/** An SQ (or, with `vr`, UN) element of items; undefined length adds its Sequence Delimitation Item. */
export function seq(enc: Enc, tag: number, items: Buffer[], undefinedLength = false, vr = 'SQ'): Buffer {
  const body = Buffer.concat(items);
  if (!undefinedLength) return el(enc, tag, vr, body);
  return Buffer.concat([el(enc, tag, vr, Buffer.alloc(0), UNDEFINED), body, delimiter(enc, 0xfffee0dd)]);
}

/** An item or sequence delimiter, or any 8-byte (FFFE,xxxx) header. */
export function delimiter(enc: Enc, tag: number, length = 0): Buffer {
  return Buffer.concat([tagBytes(tag, enc), u32(length, enc)]);
}

/** Encapsulated Pixel Data (PS3.5 A.4): OB of undefined length, the given items, a delimiter. */
export function encapsulated(enc: Enc, items: Buffer[]): Buffer {
  const header = el(enc, 0x7fe00010, 'OB', Buffer.alloc(0), UNDEFINED);
  return Buffer.concat([header, ...items.map((f) => Buffer.concat([tagBytes(0xfffee000, enc), u32(f.length, enc), f])), delimiter(enc, 0xfffee0dd)]);
}
