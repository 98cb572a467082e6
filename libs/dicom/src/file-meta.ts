export interface Part10Meta {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  sourceAeTitle?: string;
}
export const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1453.1';
export const IMPLEMENTATION_VERSION_NAME = 'PACS_TS_0.1';

const PREAMBLE_LENGTH = 128;
const NUL = 0x00;
const SPACE = 0x20;

interface MetaElement {
  element: number;
  vr: string;
  value: string;
  pad: number;
}

/**
 * 128-byte preamble, "DICM" and the File Meta Information group (PS3.10 7.1), explicit VR
 * little endian. Written by hand: it runs once per received instance.
 */
export function buildPart10Header(meta: Part10Meta): Buffer {
  const elements = metaElements(meta);
  // (0002,0001) OB has a 12-byte header (PS3.5 7.1.2) and the 2-byte value 00\01.
  const groupLength = 14 + elements.reduce((n, e) => n + 8 + paddedLength(e.value), 0);
  const buffer = Buffer.alloc(PREAMBLE_LENGTH + 4 + 12 + groupLength);
  let at = buffer.write('DICM', PREAMBLE_LENGTH, 'latin1') + PREAMBLE_LENGTH;
  at = writeHeader(buffer, at, 0x0000, 'UL', 4);
  at = buffer.writeUInt32LE(groupLength, at);
  at = writeHeader(buffer, at, 0x0001, 'OB', 2);
  buffer[at + 1] = 0x01; // File Meta Information Version 00\01 (PS3.10 7.1)
  at += 2;
  for (const e of elements) at = writeText(buffer, at, e);
  return buffer;
}

function metaElements(meta: Part10Meta): MetaElement[] {
  const elements: MetaElement[] = [
    { element: 0x0002, vr: 'UI', value: meta.sopClassUid, pad: NUL },
    { element: 0x0003, vr: 'UI', value: meta.sopInstanceUid, pad: NUL },
    { element: 0x0010, vr: 'UI', value: meta.transferSyntaxUid, pad: NUL },
    { element: 0x0012, vr: 'UI', value: IMPLEMENTATION_CLASS_UID, pad: NUL },
    { element: 0x0013, vr: 'SH', value: IMPLEMENTATION_VERSION_NAME, pad: SPACE },
  ];
  if (meta.sourceAeTitle) elements.push({ element: 0x0016, vr: 'AE', value: meta.sourceAeTitle, pad: SPACE });
  return elements;
}

// Values are padded to even length: UI with NUL, text VRs with space (PS3.5 6.2).
function paddedLength(value: string): number {
  return value.length + (value.length & 1);
}

function writeHeader(buffer: Buffer, at: number, element: number, vr: string, length: number): number {
  at = buffer.writeUInt16LE(0x0002, at);
  at = buffer.writeUInt16LE(element, at);
  at += buffer.write(vr, at, 'latin1');
  if (vr === 'OB') return buffer.writeUInt32LE(length, at + 2); // 2 reserved bytes, 32-bit length
  return buffer.writeUInt16LE(length, at);
}

function writeText(buffer: Buffer, at: number, e: MetaElement): number {
  const length = paddedLength(e.value);
  at = writeHeader(buffer, at, e.element, e.vr, length);
  at += buffer.write(e.value, at, 'latin1');
  if (length > e.value.length) buffer[at++] = e.pad;
  return at;
}
