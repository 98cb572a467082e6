import { createHash } from 'node:crypto';
import { FileHandle, open, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { TempBlob, TempBlobWriter } from './blob-store';

/** Writes a temporary file through a FileHandle, hashing (SHA-256) and counting as it goes. */
export class FileTempBlobWriter extends Writable implements TempBlobWriter {
  private handle: Promise<FileHandle>;
  private readonly hash = createHash('sha256');
  private size = 0;

  constructor(readonly path: string) {
    super({ highWaterMark: 1 << 20 });
    this.handle = open(path, 'wx');
    this.handle.catch(() => undefined);
  }

  get bytesWritten(): number {
    return this.size;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.handle.then((h) => h.write(chunk)).then(() => done(), done);
  }

  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    for (const b of buffers) {
      this.hash.update(b);
      this.size += b.length;
    }
    this.handle.then((h) => h.writev(buffers)).then(() => done(), done);
  }

  async finish(): Promise<TempBlob> {
    await new Promise<void>((resolve, reject) => {
      if (this.errored) return reject(this.errored);
      this.once('error', reject);
      this.end(() => resolve());
    });
    // No fsync here: BlobStore.commit fsyncs after the rename, so one journal commit makes both
    // the bytes and the new name durable.
    await (await this.handle).close();
    return { path: this.path, size: this.size, sha256: this.hash.digest('hex') };
  }

  async discard(): Promise<void> {
    if (!this.destroyed) this.destroy();
    await this.handle.then((h) => h.close()).catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
