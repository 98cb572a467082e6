import type { DicomJson, DicomJsonElement } from '@pacs/dicom';

/**
 * Writes a DICOM JSON data set (PS3.18 F.2) in an uncompressed transfer syntax, byte for byte as
 * dcmjs 0.51 writes it, without dcmjs: its writer allocates a growing buffer stream per element
 * and per data set and goes through its VR class machinery (~0.2 ms per C-FIND match, most of a
 * study query's time). Covered: the text VRs, the binary numbers and sequences. Anything else
 * (bulk or inline binary, AT, OB/OW/UN, a value no VR here takes, a text value too long for a
 * 16-bit length) returns undefined: the caller writes that data set with dcmjs.
 */
export function writeDicomJson(json: DicomJson, transferSyntaxUid: string): Buffer | undefined {
  const syntax = SYNTAXES[transferSyntaxUid];
  if (!syntax) return undefined;
  const parts: Buffer[] = [];
  return writeElements(json, syntax, parts) ? Buffer.concat(parts) : undefined;
}

interface Syntax {
  explicit: boolean;
  little: boolean;
}

/** PS3.5 A.1 (implicit VR little endian), A.2 (explicit VR little endian), A.3 (big endian, retired). */
const SYNTAXES: Record<string, Syntax | undefined> = {
  '1.2.840.10008.1.2': { explicit: false, little: true },
  '1.2.840.10008.1.2.1': { explicit: true, little: true },
  '1.2.840.10008.1.2.2': { explicit: true, little: false },
};

/** Text VRs dcmjs writes as UTF-8 (the others byte per character: only ASCII is taken here). */
const ENCODED = new Set(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);
const ASCII = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']);
const NUMBERS: Record<string, [number, (b: Buffer, v: number, little: boolean) => void] | undefined> = {
  US: [2, (b, v, le) => (le ? b.writeUInt16LE(v) : b.writeUInt16BE(v))],
  SS: [2, (b, v, le) => (le ? b.writeInt16LE(v) : b.writeInt16BE(v))],
  UL: [4, (b, v, le) => (le ? b.writeUInt32LE(v) : b.writeUInt32BE(v))],
  SL: [4, (b, v, le) => (le ? b.writeInt32LE(v) : b.writeInt32BE(v))],
  FL: [4, (b, v, le) => (le ? b.writeFloatLE(v) : b.writeFloatBE(v))],
  FD: [8, (b, v, le) => (le ? b.writeDoubleLE(v) : b.writeDoubleBE(v))],
};
/** VRs with a 4-byte value length in explicit VR (PS3.5 7.1.2). */
const LONG_LENGTH = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED_LENGTH = 0xffffffff;
const ASCII_ONLY = /^[\x00-\x7f]*$/;

function writeElements(json: DicomJson, syntax: Syntax, parts: Buffer[]): boolean {
  for (const tag of Object.keys(json).sort()) {
    const element = json[tag];
    if (!/^[0-9A-F]{8}$/.test(tag) || element.InlineBinary !== undefined || element.BulkDataURI !== undefined) return false;
    const group = parseInt(tag.slice(0, 4), 16);
    const number = parseInt(tag.slice(4), 16);
    if (element.vr === 'SQ') {
      if (!writeSequence(group, number, element.Value ?? [], syntax, parts)) return false;
      continue;
    }
    const value = valueBytes(element, syntax.little);
    if (!value || (!LONG_LENGTH.has(element.vr) && value.length > 0xffff)) return false;
    parts.push(header(group, number, element.vr, value.length, syntax), value);
  }
  return true;
}

/** A sequence as dcmjs writes it: undefined length, each item of undefined length with its delimiter (PS3.5 7.5). */
function writeSequence(group: number, element: number, items: unknown[], syntax: Syntax, parts: Buffer[]): boolean {
  parts.push(header(group, element, 'SQ', UNDEFINED_LENGTH, syntax));
  for (const item of items) {
    if (item === null || typeof item !== 'object') return false;
    parts.push(header(0xfffe, 0xe000, '', UNDEFINED_LENGTH, syntax));
    if (!writeElements(item as DicomJson, syntax, parts)) return false;
    parts.push(header(0xfffe, 0xe00d, '', 0, syntax));
  }
  parts.push(header(0xfffe, 0xe0dd, '', 0, syntax));
  return true;
}

/** Tag, VR (explicit syntaxes, not for item tags) and value length (PS3.5 7.1). */
function header(group: number, element: number, vr: string, length: number, { explicit, little }: Syntax): Buffer {
  const item = group === 0xfffe;
  const long = !explicit || item || LONG_LENGTH.has(vr);
  const out = Buffer.allocUnsafe(explicit && !item ? (long ? 12 : 8) : 8);
  const u16 = (v: number, at: number) => (little ? out.writeUInt16LE(v, at) : out.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (little ? out.writeUInt32LE(v, at) : out.writeUInt32BE(v, at));
  u16(group, 0);
  u16(element, 2);
  if (!explicit || item) u32(length, 4);
  else if (long) {
    out.write(vr, 4, 'latin1');
    u16(0, 6);
    u32(length, 8);
  } else {
    out.write(vr, 4, 'latin1');
    u16(length, 6);
  }
  return out;
}

/** The value field, padded to even length (PS3.5 6.2: UI with NUL, text with a space), or undefined. */
function valueBytes(element: DicomJsonElement, little: boolean): Buffer | undefined {
  const values = element.Value ?? [];
  const vr = element.vr;
  const number = NUMBERS[vr];
  if (number) return numbers(values, number[0], number[1], little);
  let text: string | undefined;
  if (vr === 'PN') text = personNames(values);
  else if (ENCODED.has(vr) || ASCII.has(vr)) text = texts(values);
  if (text === undefined || (ASCII.has(vr) && !ASCII_ONLY.test(text))) return undefined;
  const bytes = Buffer.from(text, ENCODED.has(vr) ? 'utf8' : 'latin1');
  if (bytes.length % 2 === 0) return bytes;
  return Buffer.concat([bytes, Buffer.from(vr === 'UI' ? '\0' : ' ', 'latin1')]);
}

/** Multiple values joined by backslash (PS3.5 6.4); numbers in their decimal form (IS, DS). */
function texts(values: unknown[]): string | undefined {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    out += (i > 0 ? '\\' : '') + String(v);
  }
  return out;
}

/** PS3.18 F.2.2: component groups joined by "=", trailing empty groups dropped; empty values dropped, as dcmjs does. */
function personNames(values: unknown[]): string | undefined {
  const names: string[] = [];
  for (const v of values) {
    if (!v) continue;
    if (typeof v === 'string') names.push(v);
    else if (typeof v === 'object') {
      const { Alphabetic = '', Ideographic = '', Phonetic = '' } = v as Record<string, unknown>;
      if (![Alphabetic, Ideographic, Phonetic].every((g) => typeof g === 'string')) return undefined;
      names.push([Alphabetic, Ideographic, Phonetic].join('=').replace(/=*$/, ''));
    } else return undefined;
  }
  return names.join('\\');
}

/** Binary numbers; a value out of its VR's range (which dcmjs would wrap) is left to dcmjs. */
function numbers(values: unknown[], size: number, write: (b: Buffer, v: number, little: boolean) => void, little: boolean): Buffer | undefined {
  const out = Buffer.allocUnsafe(size * values.length);
  try {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number') return undefined;
      write(out.subarray(i * size), v, little);
    }
  } catch {
    return undefined;
  }
  return out;
}
