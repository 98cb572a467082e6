import { FileHandle, open } from 'node:fs/promises';

/** Random access to the bytes of a Part 10 file (or of an inflated data set) without loading all of it. */
export interface ByteSource {
  readonly size: number;
  /** Exactly `length` bytes from `offset`; the caller keeps offset + length within size. */
  read(offset: number, length: number): Promise<Buffer>;
}

export class MemorySource implements ByteSource {
  constructor(private readonly bytes: Buffer) {}

  get size(): number {
    return this.bytes.length;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    return this.bytes.subarray(offset, offset + length);
  }
}

// Item headers of encapsulated pixel data are read through a small window, so a scan of many
// small fragments costs one read per window rather than one per fragment.
const WINDOW = 64 * 1024;

/** A file opened on first use, so a header that is already in memory costs no file access. */
export class LazyFile {
  private handle: Promise<FileHandle> | undefined;

  constructor(private readonly path: string) {}

  get(): Promise<FileHandle> {
    return (this.handle ??= open(this.path, 'r'));
  }

  async close(): Promise<void> {
    if (this.handle) await (await this.handle).close();
  }
}

export class FileSource implements ByteSource {
  private windowStart = 0;

  /** `window` holds bytes already read from offset 0, if any. */
  constructor(
    private readonly file: LazyFile,
    readonly size: number,
    private window: Buffer = Buffer.alloc(0),
  ) {}

  async read(offset: number, length: number): Promise<Buffer> {
    const inWindow = offset >= this.windowStart && offset + length <= this.windowStart + this.window.length;
    if (!inWindow) {
      this.window = await this.readFile(offset, Math.max(length, Math.min(WINDOW, this.size - offset)));
      this.windowStart = offset;
    }
    return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
  }

  /**
   * The bytes from `offset` that are already in memory, or else up to `max` bytes read from there:
   * at least one byte while offset < size.
   */
  async readAvailable(offset: number, max: number): Promise<Buffer> {
    if (offset >= this.windowStart && offset < this.windowStart + this.window.length) return this.window.subarray(offset - this.windowStart);
    this.window = await this.readFile(offset, Math.min(max, this.size - offset));
    this.windowStart = offset;
    return this.window;
  }

  private async readFile(offset: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    const file = await this.file.get();
    let done = 0;
    while (done < length) {
      const { bytesRead } = await file.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) throw new Error(`file shrank while being read (offset ${offset + done})`);
      done += bytesRead;
    }
    return buffer;
  }
}
