// An HL7 v2 sender for tests: MLLP frames (<VT> message <FS><CR>) over a real socket, raw bytes
// when a test needs them, and the acknowledgments read back one frame at a time.
import { connect, Socket } from 'node:net';

export class MllpClient {
  private buffer = Buffer.alloc(0);
  private readonly frames: string[] = [];
  private waiting: ((frame: string) => void) | undefined;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new MllpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends one message (segments joined with CR) in a frame and waits for its acknowledgment. */
  async request(segments: string[] | string, encoding: BufferEncoding = 'utf8'): Promise<Ack> {
    this.write(Buffer.concat([Buffer.of(0x0b), Buffer.from(Array.isArray(segments) ? segments.join('\r') : segments, encoding), Buffer.of(0x1c, 0x0d)]));
    return parseAck(await this.next());
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** The next acknowledgment frame, within 10 s. */
  next(): Promise<string> {
    const ready = this.frames.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no MLLP answer within 10 s')), 10_000);
      this.waiting = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const start = this.buffer.indexOf(0x0b);
      const end = this.buffer.indexOf(0x1c, start);
      if (start < 0 || end < 0) return;
      const frame = this.buffer.subarray(start + 1, end).toString('latin1');
      this.buffer = this.buffer.subarray(end + 1);
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) waiting(frame);
      else this.frames.push(frame);
    }
  }
}

/** An ACK read with its own delimiters: MSA-1, MSA-2, and ERR-2 / ERR-3.1 when there is one. */
export interface Ack {
  raw: string;
  code: string;
  controlId: string;
  text: string;
  errLocation?: string;
  errCode?: string;
}

export function parseAck(raw: string): Ack {
  const segments = raw.split('\r').filter(Boolean);
  const f = raw[3];
  const c = raw[4];
  const fields = (name: string) => segments.find((s) => s.startsWith(`${name}${f}`))?.split(f) ?? [];
  const msa = fields('MSA');
  const err = fields('ERR');
  return { raw, code: msa[1], controlId: msa[2], text: msa[3] ?? '', errLocation: err[2]?.split(c).join('^'), errCode: err[3]?.split(c)[0] };
}

/** A segment from its fields by number (`|` delimiters). */
export const seg = (name: string, fields: Record<number, string>) =>
  [name, ...Array.from({ length: Math.max(...Object.keys(fields).map(Number)) }, (_, i) => fields[i + 1] ?? '')].join('|');
/** MSH (MSH-1 is the first `|`, so field n here is MSH-(n+1)). */
export const msh = (type: string, control: string, sender = 'RIS^HOSP') =>
  seg('MSH', { 1: '^~\\&', 2: sender.split('^')[0], 3: sender.split('^')[1], 4: 'PACS', 5: 'RAD', 6: '20261124080000', 8: type, 9: control, 10: 'P', 11: '2.5' });
/** PID with PID-3 `id^^^HOSP`, PID-5, PID-7, PID-8 (empty strings: fields not sent). */
export const pid = (id: string, name: string, birth = '19800101', sex = 'F') => seg('PID', { 1: '1', 3: `${id}^^^HOSP`, 5: name, 7: birth, 8: sex });
