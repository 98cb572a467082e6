/**
 * MLLP framing (HL7 v2 Transport Specification, MLLP Release 2, section 1.2): each message is
 * sent as <VT> message <FS><CR>. The decoder never fails: bytes outside a frame are dropped, a
 * frame cut off by the next <VT> is abandoned, and a frame over the size cap is dropped as it
 * arrives (its head kept so the answer can still name its MSH), so one bad sender's bytes cannot
 * stop the messages that follow on the same connection.
 */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** How much of an oversized frame is kept to read its MSH segment. */
const HEAD_BYTES = 64 * 1024;

export type MllpEvent =
  | { kind: 'frame'; bytes: Buffer }
  | { kind: 'oversized'; head: Buffer }
  | { kind: 'discarded'; bytes: number; why: 'outside a frame' | 'frame interrupted by a new start block' };

type State = 'outside' | 'inside' | 'skipping';

export class MllpDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private state: State = 'outside';

  constructor(private readonly maxBytes: number) {}

  /** Bytes buffered for the frame under way: what one connection holds, at most maxBytes. */
  get buffered(): number {
    return this.size;
  }

  push(chunk: Buffer): MllpEvent[] {
    const events: MllpEvent[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.state === 'outside') at = this.outside(chunk, at, events);
      else if (this.state === 'inside') at = this.inside(chunk, at, events);
      else at = this.skipping(chunk, at);
    }
    return events;
  }

  /** Up to the next start block; what lies before it (bar the CR/LF after an end block) is garbage. */
  private outside(chunk: Buffer, at: number, events: MllpEvent[]): number {
    const start = chunk.indexOf(VT, at);
    const end = start < 0 ? chunk.length : start;
    const garbage = chunk.subarray(at, end).filter((b) => b !== CR && b !== 0x0a).length;
    if (garbage > 0) events.push({ kind: 'discarded', bytes: garbage, why: 'outside a frame' });
    if (start >= 0) this.state = 'inside';
    return start < 0 ? chunk.length : start + 1;
  }

  private inside(chunk: Buffer, at: number, events: MllpEvent[]): number {
    const fs = chunk.indexOf(FS, at);
    const vt = chunk.indexOf(VT, at);
    if (vt >= 0 && (fs < 0 || vt < fs)) {
      events.push({ kind: 'discarded', bytes: this.size + (vt - at), why: 'frame interrupted by a new start block' });
      this.reset('inside');
      return vt + 1;
    }
    const end = fs < 0 ? chunk.length : fs;
    this.parts.push(chunk.subarray(at, end));
    this.size += end - at;
    if (this.size > this.maxBytes) {
      events.push({ kind: 'oversized', head: Buffer.concat(this.parts).subarray(0, HEAD_BYTES) });
      this.reset(fs < 0 ? 'skipping' : 'outside');
      return fs < 0 ? chunk.length : fs + 1;
    }
    if (fs < 0) return chunk.length;
    events.push({ kind: 'frame', bytes: Buffer.concat(this.parts) });
    this.reset('outside');
    return fs + 1;
  }

  /** The rest of an oversized frame: dropped up to its end block, or to a new start block. */
  private skipping(chunk: Buffer, at: number): number {
    const fs = chunk.indexOf(FS, at);
    const vt = chunk.indexOf(VT, at);
    if (vt >= 0 && (fs < 0 || vt < fs)) {
      this.reset('inside');
      return vt + 1;
    }
    if (fs < 0) return chunk.length;
    this.reset('outside');
    return fs + 1;
  }

  private reset(state: State): void {
    this.parts = [];
    this.size = 0;
    this.state = state;
  }
}

/** One message in an MLLP frame. */
export function mllpFrame(message: Buffer): Buffer {
  return Buffer.concat([Buffer.of(VT), message, Buffer.of(FS, CR)]);
}
