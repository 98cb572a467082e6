import { createHash } from 'node:crypto';
import { FileHandle, open, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { TempBlob, TempBlobWriter } from './blob-store';

/** How many leading bytes a temp blob keeps in memory: enough for almost every DICOM header. */
export const HEAD_BYTES = 64 * 1024;

/**
 * Bytes gathered before a write is issued. Most instances (a 512 KB CT) then reach the file in
 * one writev after their last PDV instead of a queue of small writes, each a trip through the
 * libuv pool (profiled: ~1.5 ms per instance on one association); larger ones stream in steps
 * of this size, so memory stays bounded per transfer.
 */
const GATHER_BYTES = 1 << 20;

/** Handles of finished temp blobs, kept open so commit can fsync without reopening the file. */
export const openHandles = new WeakMap<TempBlob, FileHandle>();

/**
 * Writes a temporary file through a FileHandle, hashing (SHA-256) and counting as it goes, and
 * keeping the first HEAD_BYTES so the header can be read without going back to the file.
 */
export class FileTempBlobWriter extends Writable implements TempBlobWriter {
  private handle: Promise<FileHandle>;
  private readonly hash = createHash('sha256');
  private readonly head = Buffer.allocUnsafe(HEAD_BYTES);
  private size = 0;
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;

  constructor(readonly path: string) {
    super({ highWaterMark: 1 << 20 });
    this.handle = open(path, 'wx');
    this.handle.catch(() => undefined);
  }

  get bytesWritten(): number {
    return this.size;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.gather([chunk], done);
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.gather(
      chunks.map((c) => c.chunk),
      done,
    );
  }

  override _final(done: (err?: Error | null) => void): void {
    this.writeGathered().then(() => done(), done);
  }

  /** Hashes and keeps the chunks; writes once GATHER_BYTES are waiting (the rest at the end). */
  private gather(buffers: Buffer[], done: (err?: Error | null) => void): void {
    for (const b of buffers) {
      this.take(b);
      this.gathered.push(b);
      this.gatheredBytes += b.length;
    }
    if (this.gatheredBytes < GATHER_BYTES) return done();
    this.writeGathered().then(() => done(), done);
  }

  private async writeGathered(): Promise<void> {
    const buffers = this.gathered;
    this.gathered = [];
    this.gatheredBytes = 0;
    const handle = await this.handle;
    if (buffers.length > 0) await handle.writev(buffers);
  }

  /** Ends the stream and returns the blob; the file stays open until commit or discard. */
  async finish(): Promise<TempBlob> {
    await new Promise<void>((resolve, reject) => {
      if (this.errored) return reject(this.errored);
      this.once('error', reject);
      this.end(() => resolve());
    });
    const blob: TempBlob = {
      path: this.path,
      size: this.size,
      sha256: this.hash.digest('hex'),
      head: this.head.subarray(0, Math.min(this.size, HEAD_BYTES)),
    };
    openHandles.set(blob, await this.handle);
    return blob;
  }

  async discard(): Promise<void> {
    if (!this.destroyed) this.destroy();
    await this.handle.then((h) => h.close()).catch(() => undefined);
    await rm(this.path, { force: true });
  }

  private take(chunk: Buffer): void {
    this.hash.update(chunk);
    if (this.size < HEAD_BYTES) chunk.copy(this.head, this.size, 0, Math.min(chunk.length, HEAD_BYTES - this.size));
    this.size += chunk.length;
  }
}
