/** Told when a PDU declares more bytes than its limit; nothing more is taken in after it. */
export type PduRefusal = (type: number, declaredBytes: number, limitBytes: number) => void;

/**
 * Cuts a byte stream into whole PDUs (PS3.8 9.3.1: type, reserved byte, 4-byte big-endian length
 * of what follows the 6-byte header). A PDU that arrives in one chunk is handed on as a view of
 * it; one spread over several chunks is copied once, when its last byte has come. A PDU that
 * declares more than its limit is refused as soon as its header is in, so a peer cannot make us
 * buffer up to the 4 GiB its length field allows.
 */
export class PduAssembler {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private refused = false;

  /** `maxPduBytes`: the largest PDU taken in, its 6-byte header included. */
  constructor(
    private readonly deliver: (pdu: Buffer) => void,
    private readonly maxPduBytes: number,
    private readonly refuse: PduRefusal,
  ) {}

  push(chunk: Buffer): void {
    if (this.refused) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 6) {
      const header = this.peek(6);
      const total = 6 + header.readUInt32BE(2);
      if (total > this.maxPduBytes) return this.refuseAll(header[0], total, this.maxPduBytes);
      if (this.buffered < total) return;
      this.deliver(this.take(total));
    }
  }

  private refuseAll(type: number, total: number, limit: number): void {
    this.refused = true;
    this.chunks = [];
    this.buffered = 0;
    this.refuse(type, total, limit);
  }

  /** The first `n` buffered bytes (n ≤ buffered), without consuming them. */
  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    this.buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    // The consumed chunks leave in one splice: shifting them one by one is quadratic for a PDU
    // that came in many small reads (a peer trickling bytes).
    const pdu = Buffer.allocUnsafe(n);
    let filled = 0;
    let consumed = 0;
    while (filled < n) {
      const chunk = this.chunks[consumed];
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(pdu, filled, 0, used);
      filled += used;
      if (used === chunk.length) consumed++;
      else this.chunks[consumed] = chunk.subarray(used);
    }
    this.chunks.splice(0, consumed);
    return pdu;
  }
}
