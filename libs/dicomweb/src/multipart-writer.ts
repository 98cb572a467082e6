import { randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';

/** One body part of a multipart/related response, opened only when its turn comes. */
export interface OutgoingPart {
  contentType: string;
  /** Bytes `open()` yields, when known beforehand (stored blobs; not transcoded ones). */
  size?: number;
  open(): Readable;
}

/** A boundary that cannot occur in DICOM bytes by accident (RFC 2046 5.1.1: ≤ 70 chars). */
export function newBoundary(): string {
  return `pacs-${randomUUID()}`;
}

/** `multipart/related; type="application/dicom"; boundary=...` (PS3.18 8.7.3.3). */
export function multipartContentType(type: string, boundary: string): string {
  return `multipart/related; type="${type}"; boundary=${boundary}`;
}

/**
 * The exact length of the body writeMultipart produces, or undefined when a part's size is not
 * known. Sent as Content-Length, it spares every client the chunked framing and gives it a
 * download progress; should a blob then yield another size, the response is cut short.
 */
export function multipartLength(boundary: string, parts: readonly OutgoingPart[]): number | undefined {
  let total = Buffer.byteLength(closing(boundary));
  for (const part of parts) {
    if (part.size === undefined) return undefined;
    total += Buffer.byteLength(partHeader(boundary, part)) + part.size + 2;
  }
  return total;
}

const partHeader = (boundary: string, part: OutgoingPart) => `--${boundary}\r\nContent-Type: ${part.contentType}\r\n\r\n`;
const closing = (boundary: string) => `--${boundary}--\r\n`;

/**
 * Writes the parts to `out` one after another, each streamed from its source with
 * backpressure, then the closing delimiter, and ends `out`. Only one part is open at a time,
 * so a whole study never sits in memory. If a source fails or `out` is closed by the client,
 * the current source is destroyed and `out` is destroyed with the error (the client sees
 * a truncated body, the only signal left once the status is sent).
 */
export async function writeMultipart(out: Writable, boundary: string, parts: Iterable<OutgoingPart> | AsyncIterable<OutgoingPart>): Promise<void> {
  try {
    for await (const part of parts) {
      await write(out, partHeader(boundary, part));
      await copy(part.open(), out);
      await write(out, '\r\n');
    }
    await write(out, closing(boundary));
    out.end();
  } catch (err) {
    out.destroy(err as Error);
    throw err;
  }
}

async function copy(source: Readable, out: Writable): Promise<void> {
  try {
    for await (const chunk of source) await write(out, chunk as Buffer);
  } finally {
    source.destroy();
  }
}

async function write(out: Writable, data: string | Buffer): Promise<void> {
  if (out.destroyed) throw new Error('response closed by the client');
  if (!out.write(data)) await waitForDrain(out);
}

/** Resolves on 'drain'; rejects if the response is closed or fails first (no hang). */
function waitForDrain(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', settle);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error('response closed by the client'));
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', settle);
  });
}
