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

function ae(title: string): Buffer {
  return Buffer.from(title.padEnd(16, ' '), 'latin1');
}

/** PDU header (type, reserved, 4-byte length) for `length` bytes of variable field. */
export function pduHeader(type: number, length: number): Buffer {
  const header = Buffer.from([type, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(length, 2);
  return header;
}

/** A-ASSOCIATE-RQ (PS3.8 9.3.2) proposing one SOP class (context id 1) in implicit VR little endian. */
export function associateRq(callingAe: string, calledAe: string, sopClassUid = VERIFICATION): Buffer {
  const presentationContext = item(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, Buffer.from(sopClassUid)), item(0x40, Buffer.from(IMPLICIT_VR_LITTLE_ENDIAN))]));
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(16384);
  const userInfo = item(0x50, Buffer.concat([item(0x51, maxLength), item(0x52, Buffer.from(TEST_IMPLEMENTATION_CLASS))]));
  const body = Buffer.concat([Buffer.from([0, 1, 0, 0]), ae(calledAe), ae(callingAe), Buffer.alloc(32), item(0x10, Buffer.from(APPLICATION_CONTEXT)), presentationContext, userInfo]);
  return Buffer.concat([pduHeader(0x01, body.length), body]);
}

/** A P-DATA-TF PDU of one PDV on presentation context 1 (PS3.8 9.3.5.1). */
export function pDataTf(fragment: Buffer, command: boolean, last: boolean): Buffer {
  const pdv = Buffer.from([0, 0, 0, 0, 1, (command ? 0x01 : 0) | (last ? 0x02 : 0)]);
  pdv.writeUInt32BE(2 + fragment.length, 0);
  return Buffer.concat([pduHeader(0x04, pdv.length + fragment.length), pdv, fragment]);
}

/** A C-FIND-RQ command set (PS3.7 9.3.2.1), implicit VR little endian, announcing an identifier. */
export function cFindRq(sopClassUid: string): Buffer {
  const element = (tag: number, value: Buffer) => {
    const header = Buffer.alloc(8);
    header.writeUInt16LE(0, 0);
    header.writeUInt16LE(tag, 2);
    header.writeUInt32LE(value.length, 4);
    return Buffer.concat([header, value]);
  };
  const us = (n: number) => Buffer.from([n & 0xff, n >> 8]);
  const uid = Buffer.from(sopClassUid.length % 2 ? `${sopClassUid}\0` : sopClassUid, 'latin1');
  const body = Buffer.concat([element(0x0002, uid), element(0x0100, us(0x0020)), element(0x0110, us(1)), element(0x0700, us(0)), element(0x0800, us(0))]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length);
  return Buffer.concat([element(0x0000, groupLength), body]);
}

/** A raw connection that collects what the peer sends and knows when the peer closed. */
export interface RawPeer {
  socket: Socket;
  /** Resolves once at least `n` bytes have come (rejects if the connection closes first). */
  received(n: number): Promise<Buffer>;
  closed: Promise<void>;
}

export async function rawConnect(port: number): Promise<RawPeer> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = Buffer.alloc(0);
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
  return { socket, received, closed };
}
