/**
 * Command sets (PS3.7 6.3, E.1): group 0000 elements in implicit VR little endian, led by Command
 * Group Length (0000,0000). dcmjs allocates several zeroed 256 KB buffers to write even a 100-byte
 * command set, and reads one through its whole dictionary machinery (~0.5 ms each way; every
 * C-STORE, and every C-GET or C-MOVE sub-operation, has two or three). The elements DIMSE
 * messages carry are written and read here directly, giving exactly what dcmjs gives; anything
 * else goes back to the library.
 */

type Kind = 'UI' | 'AE' | 'LO' | 'US' | 'UL';

/** The command elements by keyword (PS3.7 E.1-1), with their tag and VR. */
const COMMAND_ELEMENTS: Record<string, [number, Kind]> = {
  AffectedSOPClassUID: [0x0002, 'UI'],
  RequestedSOPClassUID: [0x0003, 'UI'],
  CommandField: [0x0100, 'US'],
  MessageID: [0x0110, 'US'],
  MessageIDBeingRespondedTo: [0x0120, 'US'],
  MoveDestination: [0x0600, 'AE'],
  Priority: [0x0700, 'US'],
  CommandDataSetType: [0x0800, 'US'],
  Status: [0x0900, 'US'],
  ErrorComment: [0x0902, 'LO'],
  ErrorID: [0x0903, 'US'],
  AffectedSOPInstanceUID: [0x1000, 'UI'],
  RequestedSOPInstanceUID: [0x1001, 'UI'],
  EventTypeID: [0x1002, 'US'],
  ActionTypeID: [0x1008, 'US'],
  NumberOfRemainingSuboperations: [0x1020, 'US'],
  NumberOfCompletedSuboperations: [0x1021, 'US'],
  NumberOfFailedSuboperations: [0x1022, 'US'],
  NumberOfWarningSuboperations: [0x1023, 'US'],
  MoveOriginatorApplicationEntityTitle: [0x1030, 'AE'],
  MoveOriginatorMessageID: [0x1031, 'US'],
};

const BY_ELEMENT = new Map(Object.entries(COMMAND_ELEMENTS).map(([keyword, [element, kind]]) => [element, { keyword, kind }]));

interface Element {
  element: number;
  value: Buffer;
}

/**
 * The encoded command set, or undefined when an element is not one this encoder knows (or has a
 * value it would not write exactly as dcmjs does): the caller then uses the library's encoder.
 */
export function encodeCommandSet(elements: Record<string, unknown>): Buffer | undefined {
  const encoded: Element[] = [];
  for (const [keyword, value] of Object.entries(elements)) {
    // An element set to undefined is not written (as dcmjs does, e.g. a response's ErrorComment);
    // `_vrMap` is dcmjs's bookkeeping on a parsed data set.
    if (value === undefined || keyword === '_vrMap') continue;
    const known = COMMAND_ELEMENTS[keyword];
    if (!known) return undefined;
    const bytes = encodeValue(known[1], value);
    if (!bytes) return undefined;
    encoded.push({ element: known[0], value: bytes });
  }
  encoded.sort((a, b) => a.element - b.element);
  const length = encoded.reduce((sum, e) => sum + 8 + e.value.length, 0);
  const out = Buffer.allocUnsafe(12 + length);
  writeHeader(out, 0, 0x0000, 4);
  out.writeUInt32LE(length, 8);
  let at = 12;
  for (const e of encoded) {
    writeHeader(out, at, e.element, e.value.length);
    e.value.copy(out, at + 8);
    at += 8 + e.value.length;
  }
  return out;
}

function writeHeader(out: Buffer, at: number, element: number, length: number): void {
  out.writeUInt16LE(0x0000, at);
  out.writeUInt16LE(element, at + 2);
  out.writeUInt32LE(length, at + 4);
}

function encodeValue(kind: Kind, value: unknown): Buffer | undefined {
  if (kind === 'US' || kind === 'UL') {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > (kind === 'US' ? 0xffff : 0xffffffff)) return undefined;
    const b = Buffer.allocUnsafe(kind === 'US' ? 2 : 4);
    if (kind === 'US') b.writeUInt16LE(n);
    else b.writeUInt32LE(n);
    return b;
  }
  // Non-ASCII text would depend on the library's character handling: leave it to the library.
  if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value)) return undefined;
  // PS3.5 6.2: even length; UI padded with NUL, text with a space.
  return Buffer.from(value.length % 2 === 0 ? value : value + (kind === 'UI' ? '\0' : ' '), 'latin1');
}

/**
 * The naturalized command set (as dcmjs's Dataset would hold it), or undefined when the buffer is
 * not a command set of elements this decoder knows: the caller then uses the library's parser.
 */
export function decodeCommandSet(bytes: Buffer): Record<string, unknown> | undefined {
  if (bytes.length < 12 || bytes.readUInt32LE(0) !== 0 || bytes.readUInt32LE(4) !== 4) return undefined;
  const elements: Record<string, unknown> = { _vrMap: {}, CommandGroupLength: bytes.readUInt32LE(8) };
  let at = 12;
  while (at < bytes.length) {
    if (at + 8 > bytes.length || bytes.readUInt16LE(at) !== 0x0000) return undefined;
    const known = BY_ELEMENT.get(bytes.readUInt16LE(at + 2));
    const length = bytes.readUInt32LE(at + 4);
    if (!known || at + 8 + length > bytes.length) return undefined;
    const value = decodeValue(known.kind, bytes.subarray(at + 8, at + 8 + length));
    if (value === undefined) return undefined;
    elements[known.keyword] = value;
    at += 8 + length;
  }
  return elements;
}

function decodeValue(kind: Kind, bytes: Buffer): unknown {
  if (kind === 'US') return bytes.length === 2 ? bytes.readUInt16LE(0) : undefined;
  if (kind === 'UL') return bytes.length === 4 ? bytes.readUInt32LE(0) : undefined;
  const text = bytes.toString('latin1');
  // Empty, multi-valued or non-ASCII values: as the library reads them.
  if (text.length === 0 || text.includes('\\') || !/^[\x20-\x7e]*\0?$/.test(text)) return undefined;
  return text.replace(/\0$/, '').trim();
}
/** Command Field (0000,0100) values of requests (PS3.7 E.1-1); a response is its request's | 0x8000. */
export const CommandField = {
  CStore: 0x0001,
  CGet: 0x0010,
  CFind: 0x0020,
  CMove: 0x0021,
  CEcho: 0x0030,
  NEventReport: 0x0100,
  NGet: 0x0110,
  NSet: 0x0120,
  NAction: 0x0130,
  NCreate: 0x0140,
  NDelete: 0x0150,
  CCancel: 0x0fff,
} as const;

/** Command Field bit 15: the message is a response (PS3.7 E.1-1). */
export const RESPONSE_BIT = 0x8000;

const COMMAND_NAMES = new Map<number, string>([
  [CommandField.CStore, 'C-STORE'],
  [CommandField.CGet, 'C-GET'],
  [CommandField.CFind, 'C-FIND'],
  [CommandField.CMove, 'C-MOVE'],
  [CommandField.CEcho, 'C-ECHO'],
  [CommandField.NEventReport, 'N-EVENT-REPORT'],
  [CommandField.NGet, 'N-GET'],
  [CommandField.NSet, 'N-SET'],
  [CommandField.NAction, 'N-ACTION'],
  [CommandField.NCreate, 'N-CREATE'],
  [CommandField.NDelete, 'N-DELETE'],
]);

/** "C-STORE-RQ", "N-SET-RSP", "C-CANCEL-RQ", or "command 0x0055" for a value PS3.7 does not define. */
export function commandName(field: number): string {
  if (field === CommandField.CCancel) return 'C-CANCEL-RQ';
  const name = COMMAND_NAMES.get(field & ~RESPONSE_BIT);
  return name ? `${name}-${field & RESPONSE_BIT ? 'RSP' : 'RQ'}` : `command 0x${field.toString(16).padStart(4, '0').toUpperCase()}`;
}

/**
 * The elements of a received command set by element number, or why it is not one: every element
 * in group 0000, implicit VR little endian, defined length within the bytes (PS3.7 6.3.1), and
 * the US and UL elements of PS3.7 E.1-1 two and four bytes long. dcmjs reads anything without
 * complaint (a 4-byte Command Field becomes an array that matches no command), so this is
 * checked before the library sees the command set.
 */
export function readCommandElements(bytes: Buffer): Map<number, Buffer> | string {
  const elements = new Map<number, Buffer>();
  for (let at = 0; at < bytes.length; ) {
    if (at + 8 > bytes.length) return `an element header cut short at byte ${at}`;
    const group = bytes.readUInt16LE(at);
    const element = bytes.readUInt16LE(at + 2);
    const length = bytes.readUInt32LE(at + 4);
    const tag = `(${hex4(group)},${hex4(element)})`;
    if (group !== 0x0000) return `element ${tag} outside group 0000`;
    if (at + 8 + length > bytes.length) return `element ${tag} longer than the command set`;
    // (0000,0000) Command Group Length is UL (PS3.7 E.1-1).
    const kind = element === 0x0000 ? 'UL' : BY_ELEMENT.get(element)?.kind;
    if ((kind === 'US' && length !== 2) || (kind === 'UL' && length !== 4)) return `element ${tag} (${kind}) of ${length} bytes`;
    elements.set(element, bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return elements;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0').toUpperCase();
}
