/** The part of a socket P-DATA-TF PDUs are written to (net.Socket and tls.TLSSocket both fit). */
export interface PduSink {
  cork(): void;
  uncork(): void;
  write(chunk: Buffer): boolean;
}

/** PDU header (6 bytes) + PDV item header (4-byte length, context id, control header), PS3.8 9.3.5. */
const HEADER = 12;

/** dcmjs-dimse's own cap on what it sends per PDU, whatever the peer announced. */
const LARGEST_PDU = 4 * 1024 * 1024;

/**
 * Writes one message part (a command set or a data set) as P-DATA-TF PDUs of one PDV each
 * (PS3.8 9.3.5, E.2): the fragments are views of `bytes`, each behind its own 12-byte header,
 * corked so the socket sends them in one writev. Nothing is copied, whatever the peer's maximum
 * PDU length (PS3.8 D.1: it bounds the PDV item, 6 bytes of which are not data).
 * Returns the number of bytes written.
 */
export function writePData(sink: PduSink, contextId: number, bytes: Buffer, isCommand: boolean, peerMaxPdu: number): number {
  const maxPdu = peerMaxPdu === 0 ? LARGEST_PDU : Math.min(peerMaxPdu, LARGEST_PDU);
  const perFragment = maxPdu - 6;
  const fragments = Math.max(1, Math.ceil(bytes.length / perFragment));
  const headers = Buffer.allocUnsafe(HEADER * fragments);
  sink.cork();
  try {
    for (let i = 0; i < fragments; i++) {
      const data = bytes.subarray(i * perFragment, (i + 1) * perFragment);
      const header = headers.subarray(i * HEADER, (i + 1) * HEADER);
      header[0] = 0x04; // P-DATA-TF
      header[1] = 0;
      header.writeUInt32BE(data.length + 6, 2);
      header.writeUInt32BE(data.length + 2, 6);
      header[10] = contextId;
      // Message control header (PS3.8 E.2): bit 0 command, bit 1 last fragment.
      header[11] = (isCommand ? 1 : 0) | (i === fragments - 1 ? 2 : 0);
      sink.write(header);
      if (data.length > 0) sink.write(data);
    }
  } finally {
    sink.uncork();
  }
  return bytes.length + HEADER * fragments;
}

const corkedThisTick = new WeakSet<PduSink>();

/**
 * Holds what is written to `sink` until the work of the current tick (its promise jobs included)
 * is done, then sends it in one writev: a command set with its data set, and the Pending C-FIND
 * responses sent between two turns of the event loop. A write each cost a system call and a
 * pass through the stream machinery (~40 µs per response); this is the one Node's documentation
 * suggests (`socket.cork()`, uncork in `process.nextTick`).
 */
export function corkUntilTickEnd(sink: PduSink): void {
  if (corkedThisTick.has(sink)) return;
  corkedThisTick.add(sink);
  sink.cork();
  process.nextTick(() => {
    corkedThisTick.delete(sink);
    sink.uncork();
  });
}
