// Sets top-level text attributes of a Part 10 instance in place: every other byte (File Meta,
// other elements, sequences, Pixel Data and what follows it) is copied as it was.
import type { Element } from 'dicom-parser';
import { MemorySource } from './byte-source';
import { DicomParseError } from './dicom-parse-error';
import { dataSetEncoding } from './element-encoding';
import { describeError, parseElements } from './element-parser';
import { readFileMeta } from './file-meta-reader';
import { TransferSyntax } from './transfer-syntax';

/** A value to write: a tag of a short string VR and its value ('' writes an empty element). */
export interface ElementValue {
  /** 8 hex digits, as in DICOM JSON. */
  tag: string;
  vr: 'AE' | 'CS' | 'DA' | 'LO' | 'PN' | 'SH' | 'TM' | 'UI';
  value: string;
}

/** The text VRs whose bytes follow Specific Character Set (PS3.5 6.1.2.3); the others are ASCII. */
const CHARSET_VRS = new Set(['LO', 'PN', 'SH']);
const SPECIFIC_CHARACTER_SET = '00080005';
const LONG_HEADER_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * Returns a copy of `part10` with these top-level elements replaced or inserted in tag order
 * (PS3.5 7.1). Only the bytes of those elements change. Values are encoded in the instance's
 * Specific Character Set; a value it cannot carry in an instance with the default repertoire
 * sets ISO_IR 192 (ASCII text stays valid UTF-8), otherwise it is refused. Explicit VR big
 * endian and deflated data sets are refused (DicomParseError), as are values no VR allows.
 */
export async function rewriteElements(part10: Buffer, values: readonly ElementValue[]): Promise<Buffer> {
  const meta = await readFileMeta(new MemorySource(part10));
  const syntax = meta.transferSyntaxUid;
  if (syntax === TransferSyntax.ExplicitVRBigEndian || syntax === TransferSyntax.DeflatedExplicitVRLittleEndian) {
    throw new DicomParseError(`instances in transfer syntax ${syntax} cannot be rewritten`);
  }
  const explicit = dataSetEncoding(syntax).explicitVr;
  let elements: Record<string, Element>;
  try {
    elements = parseElements(part10, meta.end, syntax).elements;
  } catch (e) {
    throw new DicomParseError(`data set cannot be parsed: ${describeError(e)}`);
  }
  const located = locate(elements, explicit);
  const charset = (located.get(SPECIFIC_CHARACTER_SET)?.text(part10) ?? '').split('\\').map((t) => t.trim()).filter(Boolean);
  const writes = [...values];
  const needsUtf8 = charset.length === 0 && writes.some((v) => CHARSET_VRS.has(v.vr) && !isAscii(v.value));
  if (needsUtf8) writes.push({ tag: SPECIFIC_CHARACTER_SET, vr: 'CS', value: 'ISO_IR 192' });
  const encoding = needsUtf8 ? 'utf8' : textEncoding(charset);
  const splices = writes.map((v) => splice(v, located, explicit, encoding, part10.length)).sort((a, b) => a.start - b.start || a.order - b.order);
  const parts: Buffer[] = [];
  let at = 0;
  for (const s of splices) {
    parts.push(part10.subarray(at, s.start), s.bytes);
    at = s.end;
  }
  parts.push(part10.subarray(at));
  return Buffer.concat(parts);
}

interface Located {
  tag: number;
  start: number;
  end: number;
  text(bytes: Buffer): string;
}

function locate(elements: Record<string, Element>, explicit: boolean): Map<string, Located> {
  const map = new Map<string, Located>();
  for (const e of Object.values(elements)) {
    const key = e.tag.slice(1).toUpperCase();
    const header = !explicit ? 8 : LONG_HEADER_VRS.has(e.vr ?? '') ? 12 : 8;
    const end = e.hadUndefinedLength ? Number.POSITIVE_INFINITY : e.dataOffset + e.length;
    map.set(key, { tag: parseInt(key, 16), start: e.dataOffset - header, end, text: (b) => b.toString('latin1', e.dataOffset, e.dataOffset + e.length).replace(/[\0 ]+$/, '') });
  }
  return map;
}

interface Splice {
  start: number;
  end: number;
  bytes: Buffer;
  order: number;
}

function splice(v: ElementValue, located: Map<string, Located>, explicit: boolean, encoding: BufferEncoding | undefined, size: number): Splice {
  const key = v.tag.toUpperCase();
  const tag = parseInt(key, 16);
  const bytes = encodeElement(tag, v, explicit, encoding);
  const existing = located.get(key);
  if (existing) {
    if (!Number.isFinite(existing.end)) throw new DicomParseError(`element (${key}) has an undefined length: not rewritten`);
    return { start: existing.start, end: existing.end, bytes, order: tag };
  }
  // A new element goes before the first element with a greater tag (PS3.5 7.1: ascending order).
  let before = size;
  for (const e of located.values()) if (e.tag > tag && e.start < before) before = e.start;
  return { start: before, end: before, bytes, order: tag };
}

function encodeElement(tag: number, v: ElementValue, explicit: boolean, encoding: BufferEncoding | undefined): Buffer {
  let value = encodeValue(v, encoding);
  if (value.length % 2 === 1) value = Buffer.concat([value, Buffer.from(v.vr === 'UI' ? [0] : [0x20])]);
  if (value.length > 0xfffe) throw new DicomParseError(`value of (${v.tag}) is too long`);
  const header = Buffer.alloc(8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  if (explicit) {
    header.write(v.vr, 4, 'latin1');
    header.writeUInt16LE(value.length, 6);
  } else {
    header.writeUInt32LE(value.length, 4);
  }
  return Buffer.concat([header, value]);
}

function encodeValue(v: ElementValue, encoding: BufferEncoding | undefined): Buffer {
  if (isAscii(v.value)) return Buffer.from(v.value, 'latin1');
  if (!CHARSET_VRS.has(v.vr)) throw new DicomParseError(`value of (${v.tag}) must be ASCII for VR ${v.vr}`);
  if (!encoding || (encoding === 'latin1' && /[^\x00-\xff]/.test(v.value))) {
    throw new DicomParseError(`value of (${v.tag}) cannot be written in the instance's Specific Character Set`);
  }
  return Buffer.from(v.value, encoding);
}

/** The Node encoding of a single-byte or UTF-8 Specific Character Set (PS3.3 C.12.1.1.2); undefined for the others. */
function textEncoding(charset: string[]): BufferEncoding | undefined {
  if (charset.length === 1 && charset[0] === 'ISO_IR 192') return 'utf8';
  if (charset.length === 1 && charset[0] === 'ISO_IR 100') return 'latin1';
  return undefined;
}

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}
