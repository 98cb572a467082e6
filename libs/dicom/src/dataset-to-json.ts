import type { DataSet, Element } from 'dicom-parser';
import { data } from 'dcmjs';
import { textDecoderFor, TextDecoderFn } from './charset';
import type { DicomJson, DicomJsonElement } from './dicom-json';
import { normalizeValue } from './value-normalization';

/** Binary values up to this size are inlined as base64; larger ones are left out (PS3.18 F.2.7). */
export const MAX_INLINE_BINARY = 1024;
const UNDEFINED_LENGTH = 0xffffffff;
const SPECIFIC_CHARACTER_SET = 'x00080005';
const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const CHARSET_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'PN', 'UC', 'UT']);
// Single-valued texts: backslash is a character, not a value separator (PS3.5 6.2).
const UNSPLIT_VRS = new Set(['LT', 'ST', 'UT', 'UR']);
const BINARY_WORD_SIZE: Readonly<Record<string, number>> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

/** Thrown when an element's value runs past the bytes parsed so far. */
export class OutOfBytesError extends Error {}

export interface ConvertOptions {
  bigEndian: boolean;
  /** Tags (dicom-parser form, xggggeeee) not to convert at the top level. */
  skip?: ReadonlySet<string>;
}

/** The VR of a tag from the data dictionary (PS3.6), for implicit VR; ambiguous VRs resolved to the usual one. */
export function dictionaryVr(tag: string): string | undefined {
  const group = tag.slice(1, 5).toUpperCase();
  const element = tag.slice(5, 9).toUpperCase();
  if (element === '0000') return 'UL'; // group length, PS3.5 7.2
  if (parseInt(group, 16) & 1) return parseInt(element, 16) >= 0x10 && parseInt(element, 16) <= 0xff ? 'LO' : undefined;
  const vr = data.DicomMetaDictionary.dictionary[`(${group},${element})`]?.vr;
  if (!vr) return undefined;
  if (vr === 'ox' || vr.startsWith('OB or OW') || vr.startsWith('OW')) return 'OW';
  if (vr === 'xs' || vr.startsWith('US or SS')) return 'US';
  return /^[A-Z]{2}$/.test(vr) ? vr : 'UN';
}

/** Converts a parsed dicom-parser data set to DICOM JSON (PS3.18 F.2). */
export function dataSetToJson(ds: DataSet, options: ConvertOptions, inherited?: TextDecoderFn): DicomJson {
  const decode = ownDecoder(ds) ?? inherited ?? textDecoderFor([]);
  const out: DicomJson = {};
  for (const key of Object.keys(ds.elements)) {
    // dicom-parser keeps the Item Delimitation Item (FFFE,E00D) of an undefined-length item as an element.
    if (options.skip?.has(key) || key.startsWith('xfffe')) continue;
    const el = ds.elements[key];
    checkBounds(ds, el);
    const converted = convertElement(ds, el, options, decode);
    if (converted) out[key.slice(1).toUpperCase()] = converted;
  }
  return out;
}

// A data set or sequence item may carry its own Specific Character Set (PS3.5 6.1.2.3).
function ownDecoder(ds: DataSet): TextDecoderFn | undefined {
  const el = ds.elements[SPECIFIC_CHARACTER_SET];
  if (!el || el.length === 0) return undefined;
  return textDecoderFor(rawText(ds, el).split('\\'));
}

function checkBounds(ds: DataSet, el: Element): void {
  if (el.length !== UNDEFINED_LENGTH && el.dataOffset + el.length > ds.byteArray.length) {
    throw new OutOfBytesError(`element ${el.tag} runs past the end of the data`);
  }
}

function convertElement(ds: DataSet, el: Element, options: ConvertOptions, decode: TextDecoderFn): DicomJsonElement | undefined {
  const vr = el.items ? 'SQ' : (el.vr ?? dictionaryVr(el.tag) ?? 'UN');
  if (vr === 'SQ') return sequence(el, options, decode);
  if (el.length === 0) return { vr };
  if (TEXT_VRS.has(vr)) return { vr, Value: textValues(vr, rawText(ds, el, CHARSET_VRS.has(vr) ? decode : undefined)) };
  const numbers = binaryNumbers(ds, el, vr, options.bigEndian);
  if (numbers) return { vr, Value: numbers };
  if (el.length > MAX_INLINE_BINARY || el.length === UNDEFINED_LENGTH) return undefined;
  return { vr, InlineBinary: inlineBinary(ds, el, vr, options.bigEndian) };
}

function sequence(el: Element, options: ConvertOptions, decode: TextDecoderFn): DicomJsonElement {
  const items = (el.items ?? []).map((item) =>
    item.dataSet ? dataSetToJson(item.dataSet, { bigEndian: options.bigEndian }, decode) : {},
  );
  return items.length ? { vr: 'SQ', Value: items } : { vr: 'SQ' };
}

function rawText(ds: DataSet, el: Element, decode?: TextDecoderFn): string {
  const bytes = Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length);
  return decode ? decode(bytes) : bytes.toString('latin1');
}

// Padding is trailing space (NUL for UI, and NUL from many old writers); leading spaces are
// insignificant except in texts (PS3.5 6.2). What is left is normalized (normalizeValue).
function textValues(vr: string, text: string): unknown[] {
  const values = UNSPLIT_VRS.has(vr) ? [text.replace(/[\0 ]+$/, '')] : text.split('\\');
  return values.map((v) => {
    const trimmed = normalizeValue(vr, UNSPLIT_VRS.has(vr) ? v : v.replace(/^[ \0]+|[\0 ]+$/g, ''));
    if (trimmed === '') return null;
    if (vr === 'PN') return personName(trimmed);
    if (vr === 'DS' || vr === 'IS') return toNumber(trimmed);
    return trimmed;
  });
}

// Component groups separated by "=" (PS3.5 6.2.1; JSON form PS3.18 F.2.2).
function personName(value: string): Record<string, string> {
  const [alphabetic, ideographic, phonetic] = value.split('=');
  const pn: Record<string, string> = {};
  if (alphabetic) pn.Alphabetic = alphabetic;
  if (ideographic) pn.Ideographic = ideographic;
  if (phonetic) pn.Phonetic = phonetic;
  return pn;
}

function toNumber(value: string): number | string {
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

type NumberReader = (view: DataView, at: number, le: boolean) => unknown;
// Binary numeric VRs: value size and reader (PS3.5 6.2); JSON numbers per PS3.18 F.2.3.
const NUMBER_READERS: Readonly<Record<string, readonly [number, NumberReader]>> = {
  US: [2, (v, at, le) => v.getUint16(at, le)],
  SS: [2, (v, at, le) => v.getInt16(at, le)],
  UL: [4, (v, at, le) => v.getUint32(at, le)],
  SL: [4, (v, at, le) => v.getInt32(at, le)],
  FL: [4, (v, at, le) => v.getFloat32(at, le)],
  FD: [8, (v, at, le) => v.getFloat64(at, le)],
  SV: [8, (v, at, le) => safeBigInt(v.getBigInt64(at, le))],
  UV: [8, (v, at, le) => safeBigInt(v.getBigUint64(at, le))],
  AT: [4, (v, at, le) => hex4(v.getUint16(at, le)) + hex4(v.getUint16(at + 2, le))],
};

function binaryNumbers(ds: DataSet, el: Element, vr: string, bigEndian: boolean): unknown[] | undefined {
  const reader = NUMBER_READERS[vr];
  if (!reader) return undefined;
  const [size, read] = reader;
  const view = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length);
  const values: unknown[] = [];
  for (let at = 0; at + size <= el.length; at += size) values.push(read(view, at, !bigEndian));
  return values;
}

// 64-bit integers beyond 2^53 are sent as strings (PS3.18 F.2.3.1).
function safeBigInt(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

// InlineBinary is little endian (PS3.18 F.2.7), so words read from a big endian file are swapped.
function inlineBinary(ds: DataSet, el: Element, vr: string, bigEndian: boolean): string {
  const bytes = Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length);
  const word = BINARY_WORD_SIZE[vr];
  if (!bigEndian || !word || el.length % word !== 0) return bytes.toString('base64');
  const copy = Buffer.from(bytes);
  if (word === 2) copy.swap16();
  else if (word === 4) copy.swap32();
  else copy.swap64();
  return copy.toString('base64');
}
