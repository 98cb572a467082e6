import type { Socket } from 'node:net';

/**
 * dcmjs-dimse writes no SCP/SCU Role Selection sub-item; the first PDU this socket sends (the
 * A-ASSOCIATE-RQ) gets one added for `sopClassUid`, with us as SCP.
 */
export function proposeScpRole(socket: Socket, sopClassUid: string): void {
  const write = socket.write.bind(socket) as (chunk: Buffer, ...rest: unknown[]) => boolean;
  (socket as unknown as { write: typeof write }).write = (chunk: Buffer, ...rest: unknown[]) => {
    (socket as unknown as { write: typeof write }).write = write;
    return write(Buffer.isBuffer(chunk) ? withScpRole(chunk, sopClassUid) : chunk, ...rest);
  };
}

/**
 * An A-ASSOCIATE-RQ PDU with an SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4: item type 54H;
 * SCU role 0, SCP role 1) appended to its User Information item (PS3.8 9.3.2.3); any other PDU
 * unchanged.
 */
export function withScpRole(pdu: Buffer, sopClassUid: string): Buffer {
  if (pdu[0] !== 0x01 || pdu.length < 74) return pdu;
  // PS3.8 9.3.2: after the fixed 74-byte header come the variable items, User Information last.
  for (let at = 74; at + 4 <= pdu.length; at += 4 + pdu.readUInt16BE(at + 2)) {
    if (pdu[at] !== 0x50) continue;
    const uid = Buffer.from(sopClassUid, 'latin1');
    const item = Buffer.alloc(8 + uid.length);
    item[0] = 0x54;
    item.writeUInt16BE(4 + uid.length, 2);
    item.writeUInt16BE(uid.length, 4);
    uid.copy(item, 6);
    item[6 + uid.length] = 0;
    item[7 + uid.length] = 1;
    const end = at + 4 + pdu.readUInt16BE(at + 2);
    const out = Buffer.concat([pdu.subarray(0, end), item, pdu.subarray(end)]);
    out.writeUInt16BE(end - at - 4 + item.length, at + 2);
    out.writeUInt32BE(out.length - 6, 2);
    return out;
  }
  return pdu;
}
