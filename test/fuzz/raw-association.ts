// A DICOM peer on a raw socket that reads the server's PDUs one at a time, each with a deadline:
// enough to tell whether the server answered, aborted, closed, or stayed silent.
import { connect, Socket } from 'node:net';
import { associateRq, ProposedContext } from '../support/raw-pdu';
import { RELEASE_RQ } from './dicom-bytes';

export interface Pdu {
  type: number;
  body: Buffer;
}

/** What came back within the deadline: a PDU, the connection's end, or nothing. */
export type Received = Pdu | 'closed' | 'timeout';

export class RawAssociation {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  /** Accepted presentation contexts (id → transfer syntax) once an A-ASSOCIATE-AC came. */
  readonly accepted = new Map<number, string>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on('close', end);
    socket.on('error', end);
  }

  static async open(port: number, timeoutMs: number): Promise<RawAssociation> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () => (clearTimeout(timer), resolve()));
      socket.once('error', (err) => (clearTimeout(timer), reject(err)));
    });
    return new RawAssociation(socket);
  }

  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The next whole PDU, or 'closed' / 'timeout'. */
  async next(timeoutMs: number): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffer.length >= 6) {
        const length = this.buffer.readUInt32BE(2);
        if (this.buffer.length >= 6 + length) {
          const pdu = { type: this.buffer[0], body: this.buffer.subarray(6, 6 + length) };
          this.buffer = this.buffer.subarray(6 + length);
          return pdu;
        }
      }
      if (this.ended) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(timer), resolve());
      });
      this.wake = undefined;
    }
  }

  /** Sends an A-ASSOCIATE-RQ and reads the answer; on an A-ASSOCIATE-AC, records the accepted contexts. */
  async associate(callingAe: string, calledAe: string, contexts: ProposedContext[], timeoutMs: number): Promise<Received> {
    this.send(associateRq(callingAe, calledAe, contexts));
    const answer = await this.next(timeoutMs);
    if (typeof answer !== 'string' && answer.type === 0x02) for (const [id, ts] of acceptedContexts(answer.body)) this.accepted.set(id, ts);
    return answer;
  }

  /** A-RELEASE-RQ, then waits for the A-RELEASE-RP (or an abort or close). */
  async release(timeoutMs: number): Promise<Received> {
    this.send(RELEASE_RQ);
    for (;;) {
      const answer = await this.next(timeoutMs);
      if (typeof answer === 'string' || answer.type !== 0x04) return answer;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Presentation context items (0x21) of an A-ASSOCIATE-AC with result 0 (acceptance). */
function acceptedContexts(body: Buffer): [number, string][] {
  const out: [number, string][] = [];
  for (let at = 68; at + 4 <= body.length; ) {
    const type = body[at];
    const length = body.readUInt16BE(at + 2);
    if (type === 0x21 && body[at + 6] === 0) {
      const ts = body.subarray(at + 8 + 4, at + 4 + length).toString('latin1').replace(/\0+$/, '');
      out.push([body[at + 4], ts]);
    }
    at += 4 + length;
  }
  return out;
}

/** The command set of a P-DATA-TF PDU whose PDVs carry a whole command, else undefined. */
export function commandOf(pdu: Pdu): Map<number, Buffer> | undefined {
  if (pdu.type !== 0x04) return undefined;
  const fragments: Buffer[] = [];
  for (let at = 0; at + 6 <= pdu.body.length; ) {
    const length = pdu.body.readUInt32BE(at);
    const control = pdu.body[at + 5];
    if (control & 0x01) fragments.push(pdu.body.subarray(at + 6, at + 4 + length));
    at += 4 + length;
  }
  if (fragments.length === 0) return undefined;
  const command = Buffer.concat(fragments);
  const elements = new Map<number, Buffer>();
  for (let at = 0; at + 8 <= command.length; ) {
    const element = command.readUInt16LE(at + 2);
    const length = command.readUInt32LE(at + 4);
    elements.set(element, command.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return elements;
}

/** The Status (0000,0900) of a response command, if the PDU holds one. */
export function statusOf(pdu: Received): number | undefined {
  if (typeof pdu === 'string') return undefined;
  const status = commandOf(pdu)?.get(0x0900);
  return status && status.length >= 2 ? status.readUInt16LE(0) : undefined;
}
