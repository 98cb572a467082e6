import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DecodedFrame, ImagePixel } from './frame-codec';

/** A frame to decode, as posted to a worker (the frame's bytes are moved, not copied). */
export interface DecodeRequest {
  id: number;
  transferSyntaxUid: string;
  image: ImagePixel;
  frame: ArrayBuffer;
}

/** A worker's answer: the decoded pixels (moved back) and their attributes, or the codec's error. */
export type DecodeResponse =
  | { id: number; buffer: ArrayBuffer; byteOffset: number; length: number; photometricInterpretation: string; planarConfiguration?: number; error?: undefined }
  | { id: number; error: string };

interface Pending {
  resolve(frame: DecodedFrame): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Decodes frames in worker threads (one WebAssembly instance each), up to one less than the
 * cores, at least one: a JPEG 2000 CT frame takes tens to hundreds of milliseconds, which on the
 * event loop would stall every other request and association. Workers start on first use, are
 * unref'd (they never keep the process alive) and are replaced when one dies; its frames fail.
 * Each response awaits its frames one at a time, so what waits here is bounded by the requests.
 */
export class DecoderPool {
  private readonly slots: (Slot | undefined)[];
  private next = 0;
  private ids = 0;

  constructor(size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  decode(transferSyntaxUid: string, image: ImagePixel, frame: Buffer): Promise<DecodedFrame> {
    const index = this.next;
    this.next = (this.next + 1) % this.slots.length;
    const slot = (this.slots[index] ??= this.spawn(index));
    const id = ++this.ids;
    // A compact copy: the frame may be a view of a larger read buffer, which must stay here.
    const copy = new Uint8Array(frame).buffer;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const request: DecodeRequest = { id, transferSyntaxUid, image, frame: copy };
      slot.worker.postMessage(request, [copy]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot?.worker.terminate()));
    this.slots.fill(undefined);
  }

  private spawn(index: number): Slot {
    const slot: Slot = { worker: new Worker(join(__dirname, 'frame-decoder.worker.js')), pending: new Map() };
    slot.worker.unref();
    slot.worker.on('message', (response: DecodeResponse) => {
      const pending = slot.pending.get(response.id);
      slot.pending.delete(response.id);
      if (!pending) return;
      if (response.error !== undefined) return pending.reject(new Error(response.error));
      const { buffer, byteOffset, length, photometricInterpretation, planarConfiguration } = response;
      pending.resolve({ pixels: Buffer.from(buffer, byteOffset, length), photometricInterpretation, planarConfiguration });
    });
    const fail = (err: Error) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      for (const pending of slot.pending.values()) pending.reject(err);
      slot.pending.clear();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`decoder worker exited (code ${code})`)));
    return slot;
  }
}
