import { ByteSource } from '@pacs/dicom';
import { BlobStore } from '@pacs/storage';

// Small reads (item headers of encapsulated Pixel Data) go through one window, so scanning many
// fragments costs one blob read per 64 KiB rather than one per fragment.
const WINDOW = 64 * 1024;

/** Random access to a stored blob through ranged reads of the blob store. */
export class BlobByteSource implements ByteSource {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly blobs: BlobStore,
    private readonly key: string,
    readonly size: number,
  ) {}

  async read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset + length > this.size) throw new RangeError(`read of ${length} bytes at ${offset} past the end of a ${this.size}-byte blob`);
    const inWindow = offset >= this.windowStart && offset + length <= this.windowStart + this.window.length;
    if (!inWindow) {
      const span = Math.max(length, Math.min(WINDOW, this.size - offset));
      this.window = await this.readRange(offset, span);
      this.windowStart = offset;
    }
    return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
  }

  private async readRange(offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    // BlobStore ranges are inclusive of `end`, as fs.createReadStream's.
    for await (const chunk of this.blobs.read(this.key, { start: offset, end: offset + length - 1 })) chunks.push(chunk as Buffer);
    const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    if (bytes.length !== length) throw new Error(`blob ${this.key} shrank while being read (offset ${offset})`);
    return bytes;
  }
}
