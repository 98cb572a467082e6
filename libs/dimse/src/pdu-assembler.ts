/**
 * Cuts a byte stream into whole PDUs (PS3.8 9.3.1: type, reserved byte, 4-byte big-endian length
 * of what follows the 6-byte header). A PDU that arrives in one chunk is handed on as a view of
 * it; one spread over several chunks is copied once, when its last byte has come.
 */
export class PduAssembler {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly deliver: (pdu: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 6) {
      const total = 6 + this.peek(6).readUInt32BE(2);
      if (this.buffered < total) return;
      this.deliver(this.take(total));
    }
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
    const pdu = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(pdu, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return pdu;
  }
}
