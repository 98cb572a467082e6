// Hand-built upper-layer PDUs (PS3.8 9.3) for tests that must send what no DICOM tool would.
import { connect, Socket } from 'node:net';

const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
const TEST_IMPLEMENTATION_CLASS = '1.2.826.0.1.3680043.10.543.9';

function item(type: number, body: Buffer): Buffer {
  const header = Buffer.from([type, 0, 0, 0]);
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

/** An AE title field: a title padded to 16 bytes, or bytes sent as they are. */
function ae(title: string | Buffer): Buffer {
  return typeof title === 'string' ? Buffer.from(title.padEnd(16, ' '), 'latin1') : title;
}

/** PDU header (type, reserved, 4-byte length) for `length` bytes of variable field. */
export function pduHeader(type: number, length: number): Buffer {
  const header = Buffer.from([type, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(length, 2);
  return header;
}

/** A presentation context to propose: its odd id, abstract syntax, and transfer syntaxes (implicit VR little endian by default). */
export interface ProposedContext {
  id: number;
  abstractSyntax: string;
  transferSyntaxes?: string[];
}

/** A-ASSOCIATE-RQ (PS3.8 9.3.2) proposing one SOP class (context id 1) in implicit VR little endian, or the given contexts. */
export function associateRq(callingAe: string | Buffer, calledAe: string | Buffer, proposed: string | ProposedContext[] = VERIFICATION): Buffer {
  const contexts = typeof proposed === 'string' ? [{ id: 1, abstractSyntax: proposed }] : proposed;
  const items = contexts.map(({ id, abstractSyntax, transferSyntaxes = [IMPLICIT_VR_LITTLE_ENDIAN] }) =>
    item(0x20, Buffer.concat([Buffer.from([id, 0, 0, 0]), item(0x30, Buffer.from(abstractSyntax)), ...transferSyntaxes.map((ts) => item(0x40, Buffer.from(ts)))])),
  );
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(16384);
  const userInfo = item(0x50, Buffer.concat([item(0x51, maxLength), item(0x52, Buffer.from(TEST_IMPLEMENTATION_CLASS))]));
  const body = Buffer.concat([Buffer.from([0, 1, 0, 0]), ae(calledAe), ae(callingAe), Buffer.alloc(32), item(0x10, Buffer.from(APPLICATION_CONTEXT)), ...items, userInfo]);
  return Buffer.concat([pduHeader(0x01, body.length), body]);
}

/** One PDV item (PS3.8 9.3.5.1): length, presentation context id, message control header (E.2), fragment. */
export function pdv(fragment: Buffer, controlHeader: number, contextId = 1): Buffer {
  const header = Buffer.from([0, 0, 0, 0, contextId, controlHeader]);
  header.writeUInt32BE(2 + fragment.length, 0);
  return Buffer.concat([header, fragment]);
}

/** A P-DATA-TF PDU (PS3.8 9.3.5) of the given PDV items. */
export function pData(...pdvs: Buffer[]): Buffer {
  const body = Buffer.concat(pdvs);
  return Buffer.concat([pduHeader(0x04, body.length), body]);
}

/** A P-DATA-TF PDU of one PDV (PS3.8 9.3.5.1), on presentation context 1 unless told. */
export function pDataTf(fragment: Buffer, command: boolean, last: boolean, contextId = 1): Buffer {
  return pData(pdv(fragment, (command ? 0x01 : 0) | (last ? 0x02 : 0), contextId));
}

/** Command Field values (PS3.7 E.1-1). */
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

/** Elements of group 0000 whose value is a UID (padded with NUL; other strings with a space, PS3.5 6.2). */
const UID_ELEMENTS = new Set([0x0002, 0x0003, 0x1000, 0x1001]);

/**
 * A command set (PS3.7 6.3.1, E.1) in implicit VR little endian from element number → value:
 * numbers are US, strings UI or text, buffers sent as they are. Command Group Length (0000,0000)
 * is computed.
 */
export function commandSet(elements: Record<number, number | string | Buffer>): Buffer {
  const element = (tag: number, value: Buffer) => {
    const header = Buffer.alloc(8);
    header.writeUInt16LE(tag, 2);
    header.writeUInt32LE(value.length, 4);
    return Buffer.concat([header, value]);
  };
  const encode = (tag: number, value: number | string | Buffer) => {
    if (Buffer.isBuffer(value)) return value;
    if (typeof value === 'number') return Buffer.from([value & 0xff, value >> 8]);
    return Buffer.from(value.length % 2 ? value + (UID_ELEMENTS.has(tag) ? '\0' : ' ') : value, 'latin1');
  };
  const body = Buffer.concat(Object.entries(elements).map(([tag, value]) => element(Number(tag), encode(Number(tag), value))));
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length);
  return Buffer.concat([element(0x0000, groupLength), body]);
}

/** A C-FIND-RQ command set (PS3.7 9.3.2.1), implicit VR little endian, announcing an identifier. */
export function cFindRq(sopClassUid: string): Buffer {
  return commandSet({ 0x0002: sopClassUid, 0x0100: CommandField.CFind, 0x0110: 1, 0x0700: 0, 0x0800: 0 });
}

/** The data set of a Part 10 file: what follows the preamble, "DICM" and the File Meta group (PS3.10 7.1). */
export function datasetOf(part10: Buffer): Buffer {
  // (0002,0000) File Meta Information Group Length, explicit VR UL, right after "DICM".
  return part10.subarray(144 + part10.readUInt32LE(140));
}

/** A PDU as received: its type and what follows its 6-byte header. */
export interface ReceivedPdu {
  type: number;
  body: Buffer;
}

/** A received DIMSE command set (PS3.7 E.1) by element number, with the fields tests look at. */
export interface ReceivedCommand {
  contextId: number;
  elements: Map<number, Buffer>;
  field: number | undefined;
  status: number | undefined;
  errorComment: string | undefined;
  messageIdBeingRespondedTo: number | undefined;
  text(element: number): string | undefined;
}

function readCommand(contextId: number, bytes: Buffer): ReceivedCommand {
  const elements = new Map<number, Buffer>();
  for (let at = 0; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32LE(at + 4);
    elements.set(bytes.readUInt16LE(at + 2), bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  const us = (element: number) => (elements.get(element)?.length === 2 ? elements.get(element)!.readUInt16LE(0) : undefined);
  const text = (element: number) => elements.get(element)?.toString('latin1').replace(/[\0 ]+$/, '');
  return { contextId, elements, field: us(0x0100), status: us(0x0900), errorComment: text(0x0902), messageIdBeingRespondedTo: us(0x0120), text };
}

/** A raw connection that collects what the peer sends and knows when the peer closed. */
export interface RawPeer {
  socket: Socket;
  /** Resolves once at least `n` bytes have come (rejects if the connection closes first). */
  received(n: number): Promise<Buffer>;
  /** The next whole PDU not yet taken; rejects if the connection closes or nothing comes within `timeoutMs`. */
  nextPdu(timeoutMs?: number): Promise<ReceivedPdu>;
  closed: Promise<void>;
}

export async function rawConnect(port: number): Promise<RawPeer> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = Buffer.alloc(0);
  let taken = 0;
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
    waiters.splice(0).forEach((wake) => wake());
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const received = async (n: number): Promise<Buffer> => {
    while (data.length < n) {
      const more = new Promise<void>((resolve) => waiters.push(resolve));
      const ended = closed.then(() => {
        if (data.length < n) throw new Error(`connection closed after ${data.length} of ${n} bytes`);
      });
      await Promise.race([more, ended]);
    }
    return data;
  };
  const nextPdu = async (timeoutMs = 5000): Promise<ReceivedPdu> => {
    const deadline = Date.now() + timeoutMs;
    const whole = () => data.length >= taken + 6 && data.length >= taken + 6 + data.readUInt32BE(taken + 2);
    while (!whole()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no PDU within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
      const ended = closed.then(() => {
        if (!whole()) throw new Error('connection closed before a whole PDU came');
      });
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), ended, timeout]).finally(() => clearTimeout(timer));
    }
    const length = data.readUInt32BE(taken + 2);
    const pdu = { type: data[taken], body: data.subarray(taken + 6, taken + 6 + length) };
    taken += 6 + length;
    return pdu;
  };
  return { socket, received, nextPdu, closed };
}

/**
 * Connects and proposes `contexts`; resolves once the A-ASSOCIATE-AC has come, with the result
 * of each proposed context (PS3.8 9.3.3.2: 0 acceptance).
 */
export async function associate(port: number, calledAe: string, contexts: ProposedContext[], callingAe = 'TESTSCU'): Promise<{ peer: RawPeer; results: Map<number, number> }> {
  const peer = await rawConnect(port);
  peer.socket.write(associateRq(callingAe, calledAe, contexts));
  const ac = await peer.nextPdu();
  if (ac.type !== 0x02) throw new Error(`expected A-ASSOCIATE-AC, got PDU type 0x${ac.type.toString(16)}`);
  const results = new Map<number, number>();
  // Variable items after the 68-byte fixed part; presentation context items are type 0x21.
  for (let at = 68; at + 4 <= ac.body.length; at += 4 + ac.body.readUInt16BE(at + 2)) {
    if (ac.body[at] === 0x21) results.set(ac.body[at + 4], ac.body[at + 6]);
  }
  return { peer, results };
}

interface ReceivedPdv {
  contextId: number;
  control: number;
  fragment: Buffer;
}

/** PDVs of P-DATA-TF PDUs already read from each peer and not yet taken. */
const unreadPdvs = new WeakMap<RawPeer, ReceivedPdv[]>();

async function nextPdv(peer: RawPeer, timeoutMs: number): Promise<ReceivedPdv> {
  const queue = unreadPdvs.get(peer) ?? [];
  unreadPdvs.set(peer, queue);
  while (queue.length === 0) {
    const pdu = await peer.nextPdu(timeoutMs);
    if (pdu.type !== 0x04) throw new Error(`expected P-DATA-TF, got PDU type 0x${pdu.type.toString(16)} [${[...pdu.body].join(',')}]`);
    for (let at = 0; at + 6 <= pdu.body.length; at += 4 + pdu.body.readUInt32BE(at)) {
      queue.push({ contextId: pdu.body[at + 4], control: pdu.body[at + 5], fragment: pdu.body.subarray(at + 6, at + 4 + pdu.body.readUInt32BE(at)) });
    }
  }
  return queue.shift()!;
}

/** The next DIMSE message the peer sends: its command set, and its data set when the command announces one. */
export async function nextCommand(peer: RawPeer, timeoutMs = 5000): Promise<ReceivedCommand & { dataset?: Buffer }> {
  const gather = async (command: boolean): Promise<{ contextId: number; bytes: Buffer }> => {
    const fragments: Buffer[] = [];
    for (;;) {
      const pdv = await nextPdv(peer, timeoutMs);
      if (Boolean(pdv.control & 0x01) !== command) throw new Error(`expected a ${command ? 'command' : 'data set'} PDV`);
      fragments.push(pdv.fragment);
      if (pdv.control & 0x02) return { contextId: pdv.contextId, bytes: Buffer.concat(fragments) };
    }
  };
  const { contextId, bytes } = await gather(true);
  const command = readCommand(contextId, bytes);
  const dataSetType = command.elements.get(0x0800);
  if (!dataSetType || dataSetType.readUInt16LE(0) === 0x0101) return command;
  return { ...command, dataset: (await gather(false)).bytes };
}

/** Expects an A-ABORT (PS3.8 9.3.8) with this source and reason next, then the connection to close. */
export async function expectAbort(peer: RawPeer, source: number, reason: number): Promise<void> {
  const pdu = await peer.nextPdu();
  if (pdu.type !== 0x07) throw new Error(`expected A-ABORT, got PDU type 0x${pdu.type.toString(16)}`);
  if (pdu.body[2] !== source || pdu.body[3] !== reason) throw new Error(`A-ABORT source ${pdu.body[2]} reason ${pdu.body[3]}, expected ${source}/${reason}`);
  await peer.closed;
}
