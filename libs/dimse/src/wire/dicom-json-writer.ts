import type { DicomJson, DicomJsonElement } from '@pacs/dicom';

/**
 * Writes a DICOM JSON data set (PS3.18 F.2) in an uncompressed transfer syntax, byte for byte as
 * dcmjs 0.51 writes it, without dcmjs: its writer allocates a growing buffer stream per element
 * and per data set and goes through its VR class machinery (~0.2 ms per C-FIND match, most of a
 * study query's time; this takes ~3 µs). Covered: the text VRs, the binary numbers and sequences.
 * Anything else (bulk or inline binary, AT, OB/OW/UN, a value no VR here takes, a text value too
 * long for a 16-bit length) returns undefined: the caller writes that data set with dcmjs.
 */
export function writeDicomJson(json: DicomJson, transferSyntaxUid: string): Buffer | undefined {
  const syntax = SYNTAXES[transferSyntaxUid];
  if (!syntax) return undefined;
  const out = new Output(syntax.little);
  return writeElements(json, syntax, out) ? out.bytes() : undefined;
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
/** Binary numbers: size and how to write one (a value out of range throws: left to dcmjs). */
const NUMBERS: Record<string, [number, (out: Output, v: number) => void] | undefined> = {
  US: [2, (o, v) => o.u16(v)],
  SS: [2, (o, v) => (o.little ? o.buf.writeInt16LE(v, o.at) : o.buf.writeInt16BE(v, o.at))],
  UL: [4, (o, v) => o.u32(v)],
  SL: [4, (o, v) => (o.little ? o.buf.writeInt32LE(v, o.at) : o.buf.writeInt32BE(v, o.at))],
  FL: [4, (o, v) => (o.little ? o.buf.writeFloatLE(v, o.at) : o.buf.writeFloatBE(v, o.at))],
  FD: [8, (o, v) => (o.little ? o.buf.writeDoubleLE(v, o.at) : o.buf.writeDoubleBE(v, o.at))],
};
/** VRs with a 4-byte value length in explicit VR (PS3.5 7.1.2). */
const LONG_LENGTH = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED_LENGTH = 0xffffffff;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const TAG = /^[0-9A-F]{8}$/;

/** One buffer, grown by doubling, written front to back. */
class Output {
  buf = Buffer.allocUnsafe(1024);
  at = 0;

  constructor(readonly little: boolean) {}

  reserve(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }

  u16(v: number, at = this.at): void {
    if (this.little) this.buf.writeUInt16LE(v, at);
    else this.buf.writeUInt16BE(v, at);
  }

  u32(v: number, at = this.at): void {
    if (this.little) this.buf.writeUInt32LE(v, at);
    else this.buf.writeUInt32BE(v, at);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}

function writeElements(json: DicomJson, syntax: Syntax, out: Output): boolean {
  for (const tag of Object.keys(json).sort()) {
    const element = json[tag];
    if (!TAG.test(tag) || element.InlineBinary !== undefined || element.BulkDataURI !== undefined) return false;
    const group = parseInt(tag.slice(0, 4), 16);
    const number = parseInt(tag.slice(4), 16);
    if (element.vr === 'SQ') {
      if (!writeSequence(group, number, element.Value ?? [], syntax, out)) return false;
      continue;
    }
    const lengthAt = header(group, number, element.vr, 0, syntax, out);
    const start = out.at;
    if (!writeValue(element, out)) return false;
    const length = out.at - start;
    if (syntax.explicit && !LONG_LENGTH.has(element.vr)) {
      if (length > 0xffff) return false;
      out.u16(length, lengthAt);
    } else out.u32(length, lengthAt);
  }
  return true;
}

/** A sequence as dcmjs writes it: undefined length, each item of undefined length with its delimiter (PS3.5 7.5). */
function writeSequence(group: number, element: number, items: unknown[], syntax: Syntax, out: Output): boolean {
  header(group, element, 'SQ', UNDEFINED_LENGTH, syntax, out);
  for (const item of items) {
    if (item === null || typeof item !== 'object') return false;
    header(0xfffe, 0xe000, '', UNDEFINED_LENGTH, syntax, out);
    if (!writeElements(item as DicomJson, syntax, out)) return false;
    header(0xfffe, 0xe00d, '', 0, syntax, out);
  }
  header(0xfffe, 0xe0dd, '', 0, syntax, out);
  return true;
}

/**
 * Tag, VR (explicit syntaxes, not for item tags) and value length (PS3.5 7.1); returns where the
 * length is, for the caller to fill in once the value is written.
 */
function header(group: number, element: number, vr: string, length: number, { explicit }: Syntax, out: Output): number {
  out.reserve(12);
  out.u16(group, out.at);
  out.u16(element, out.at + 2);
  let lengthAt = out.at + 4;
  if (!explicit || group === 0xfffe) {
    out.u32(length, lengthAt);
    out.at += 8;
  } else if (LONG_LENGTH.has(vr)) {
    out.buf.write(vr, out.at + 4, 'latin1');
    out.u16(0, out.at + 6);
    lengthAt = out.at + 8;
    out.u32(length, lengthAt);
    out.at += 12;
  } else {
    out.buf.write(vr, out.at + 4, 'latin1');
    lengthAt = out.at + 6;
    out.u16(length, lengthAt);
    out.at += 8;
  }
  return lengthAt;
}

/** The value field, padded to even length (PS3.5 6.2: UI with NUL, text with a space); false if not covered. */
function writeValue(element: DicomJsonElement, out: Output): boolean {
  const values = element.Value ?? [];
  const vr = element.vr;
  const number = NUMBERS[vr];
  if (number) return writeNumbers(values, number[0], number[1], out);
  const text = vr === 'PN' ? personNames(values) : ENCODED.has(vr) || ASCII.has(vr) ? texts(values) : undefined;
  if (text === undefined) return false;
  const encoded = ENCODED.has(vr);
  if (!encoded && !ASCII_ONLY.test(text)) return false;
  out.reserve(Buffer.byteLength(text, encoded ? 'utf8' : 'latin1') + 1);
  const length = out.buf.write(text, out.at, encoded ? 'utf8' : 'latin1');
  out.at += length;
  if (length % 2 === 1) out.buf[out.at++] = vr === 'UI' ? 0x00 : 0x20;
  return true;
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
function writeNumbers(values: unknown[], size: number, write: (out: Output, v: number) => void, out: Output): boolean {
  out.reserve(size * values.length);
  try {
    for (const v of values) {
      if (typeof v !== 'number') return false;
      write(out, v);
      out.at += size;
    }
  } catch {
    return false;
  }
  return true;
}
