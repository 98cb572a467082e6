// How element headers are written: the encodings of a data set and the length field of each VR.
import { TransferSyntax } from './transfer-syntax';

/** How a data set is encoded (PS3.5 7.1, A.1–A.3). */
export interface DataSetEncoding {
  explicitVr: boolean;
  littleEndian: boolean;
}

export const IMPLICIT_LITTLE: DataSetEncoding = { explicitVr: false, littleEndian: true };
export const EXPLICIT_LITTLE: DataSetEncoding = { explicitVr: true, littleEndian: true };
const EXPLICIT_BIG: DataSetEncoding = { explicitVr: true, littleEndian: false };

/**
 * The encoding of the data set of a transfer syntax: every syntax but implicit VR little endian
 * and (retired) explicit VR big endian is explicit VR little endian (PS3.5 10.1); a deflated one
 * once inflated (PS3.5 A.5).
 */
export function dataSetEncoding(transferSyntaxUid: string): DataSetEncoding {
  if (transferSyntaxUid === TransferSyntax.ImplicitVRLittleEndian) return IMPLICIT_LITTLE;
  if (transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian) return EXPLICIT_BIG;
  return EXPLICIT_LITTLE;
}

/** Length field size of each VR in explicit VR (PS3.5 7.1.2), by its two bytes as one number; 0: no VR. */
const LENGTH_SIZE = new Uint8Array(0x10000);
for (const vr of ['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']) {
  LENGTH_SIZE[vrCode(vr)] = 2;
}
for (const vr of ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']) LENGTH_SIZE[vrCode(vr)] = 4;

/**
 * 2 (a 16-bit length) or 4 (2 reserved bytes and a 32-bit length) for a VR of PS3.5 6.2, or 0.
 * PS3.5 6.2 lets a reader take an unknown VR as one with a 32-bit length, as DCMTK does; pydicom
 * and dicom-parser do not, so a file with one is read differently by different readers: this
 * archive treats an unknown VR as no VR.
 */
export function explicitLengthSize(vr: number): number {
  return LENGTH_SIZE[vr];
}

/** A VR's two ASCII characters as one 16-bit number, as they are read from a header. */
export function vrCode(vr: string): number {
  return (vr.charCodeAt(0) << 8) | vr.charCodeAt(1);
}

/** "(gggg,eeee)": tags are named, never values (a log line must not carry patient data). */
export function tagName(tag: number): string {
  return `(${hex4(tag >>> 16)},${hex4(tag & 0xffff)})`;
}

/** Two printable characters in quotes, or the two bytes in hex (a fuzzed VR may be anything). */
export function vrText(vr: number): string {
  const printable = (c: number) => c >= 0x20 && c < 0x7f && c !== 0x22;
  return printable(vr >> 8) && printable(vr & 0xff) ? `"${String.fromCharCode(vr >> 8, vr & 0xff)}"` : `0x${hex4(vr)}`;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
