// Byte builders for hand-made DICOM messages: elements, command sets (implicit VR little endian,
// PS3.7 6.3.1), A-ASSOCIATE-RQ with chosen presentation contexts (PS3.8 9.3.2) and P-DATA-TF.
import { pduHeader } from '../support/raw-pdu';

export const VERIFICATION = '1.2.840.10008.1.1';
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const STUDY_ROOT_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
export const STUDY_ROOT_MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
export const STUDY_ROOT_GET = '1.2.840.10008.5.1.4.1.2.2.3';
export const MWL_FIND = '1.2.840.10008.5.1.4.31';
export const MPPS = '1.2.840.10008.3.1.2.3.3';
export const STORAGE_COMMITMENT = '1.2.840.10008.1.20.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
const IMPLEMENTATION_CLASS = '1.2.826.0.1.3680043.10.543.9';

/** A UID value padded to even length with NUL (PS3.5 9.1). */
export function uidValue(uid: string): Buffer {
  return Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
}

export function us(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
}

/** One implicit VR little endian element (group, element, value). */
export function implicitElement(group: number, element: number, value: Buffer, length = value.length): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.writeUInt32LE(length >>> 0, 4);
  return Buffer.concat([header, value]);
}

export interface CommandElement {
  element: number;
  value: Buffer;
}

/** A command set: elements of group 0000 in the order given, preceded by its group length. */
export function commandSet(elements: CommandElement[]): Buffer {
  const body = Buffer.concat(elements.map((e) => implicitElement(0, e.element, e.value)));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([implicitElement(0, 0x0000, length), body]);
}

/** The elements of a C-STORE-RQ (PS3.7 9.3.1.1) announcing a data set. */
export function cStoreElements(sopClassUid: string, sopInstanceUid: string, messageId: number): CommandElement[] {
  return [
    { element: 0x0002, value: uidValue(sopClassUid) },
    { element: 0x0100, value: us(0x0001) },
    { element: 0x0110, value: us(messageId) },
    { element: 0x0700, value: us(0) },
    { element: 0x0800, value: us(0x0000) },
    { element: 0x1000, value: uidValue(sopInstanceUid) },
  ];
}

/** The elements of a C-ECHO-RQ (PS3.7 9.3.5.1). */
export function cEchoElements(messageId: number): CommandElement[] {
  return [
    { element: 0x0002, value: uidValue(VERIFICATION) },
    { element: 0x0100, value: us(0x0030) },
    { element: 0x0110, value: us(messageId) },
    { element: 0x0800, value: us(0x0101) },
  ];
}

function item(type: number, body: Buffer): Buffer {
  const header = Buffer.from([type, 0, 0, 0]);
  header.writeUInt16BE(body.length & 0xffff, 2);
  return Buffer.concat([header, body]);
}

export interface ProposedContext {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

/** The variable part of an A-ASSOCIATE-RQ; `associateRqPdu` frames it. */
export function associateRqBody(callingAe: Buffer | string, calledAe: Buffer | string, contexts: ProposedContext[]): Buffer {
  const ae = (t: Buffer | string) => (typeof t === 'string' ? Buffer.from(t.padEnd(16, ' '), 'latin1') : t);
  const pcs = contexts.map((c) =>
    item(0x20, Buffer.concat([Buffer.from([c.id, 0, 0, 0]), item(0x30, Buffer.from(c.abstractSyntax)), ...c.transferSyntaxes.map((ts) => item(0x40, Buffer.from(ts)))])),
  );
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(65536);
  const userInfo = item(0x50, Buffer.concat([item(0x51, maxLength), item(0x52, Buffer.from(IMPLEMENTATION_CLASS))]));
  return Buffer.concat([Buffer.from([0, 1, 0, 0]), ae(calledAe), ae(callingAe), Buffer.alloc(32), item(0x10, Buffer.from(APPLICATION_CONTEXT)), ...pcs, userInfo]);
}

export function associateRqPdu(body: Buffer): Buffer {
  return Buffer.concat([pduHeader(0x01, body.length), body]);
}

/** One P-DATA-TF PDU carrying one PDV (PS3.8 9.3.5.1, E.2). */
export function pdv(contextId: number, fragment: Buffer, command: boolean, last: boolean, control?: number): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt32BE(2 + fragment.length, 0);
  header[4] = contextId;
  header[5] = control ?? (command ? 0x01 : 0) | (last ? 0x02 : 0);
  return Buffer.concat([pduHeader(0x04, header.length + fragment.length), header, fragment]);
}

/** A whole message as P-DATA-TF PDUs of at most `maxFragment` bytes each. */
export function messagePdus(contextId: number, command: Buffer, dataset: Buffer | undefined, maxFragment = 16_000): Buffer {
  const out = [pdv(contextId, command, true, true)];
  if (dataset) {
    for (let at = 0; at < dataset.length || at === 0; at += maxFragment) {
      const end = Math.min(dataset.length, at + maxFragment);
      out.push(pdv(contextId, dataset.subarray(at, end), false, end >= dataset.length));
      if (dataset.length === 0) break;
    }
  }
  return Buffer.concat(out);
}

export const RELEASE_RQ = Buffer.concat([pduHeader(0x05, 4), Buffer.alloc(4)]);

/** The data set of a Part 10 file: what follows the File Meta group (PS3.10 7.1). */
export function datasetOf(part10: Buffer): Buffer {
  const metaLength = part10.readUInt32LE(128 + 4 + 8);
  return part10.subarray(128 + 4 + 12 + metaLength);
}
