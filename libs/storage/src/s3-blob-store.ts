import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { BlobStat, BlobStore, checkedKey, TempBlob, TempBlobWriter } from './blob-store';
import { s3ClientConfig, S3Operation, S3Settings, StorageError, storageError, withPayloadHash } from './s3-client';
import { TempArea, TempSweep, UnreferencedKeys } from './temp-area';
import { closeQuietly, FileTempBlobWriter, openFiles } from './temp-blob-writer';
import { ProcessTempOwners, TempOwners } from './temp-owner';

/** Instances above this go up in parts (multipart upload), never held whole in memory. */
const MULTIPART_ABOVE = 32 * 1024 * 1024;
/** Part size of a multipart upload; two parts in flight bound its memory. */
const PART_SIZE = 16 * 1024 * 1024;

/**
 * Blobs as objects `<prefix><key>` in an S3-compatible bucket; temporary files stay on local
 * disk (<root>/tmp, TempArea) until their object is written. An object is durable once its PUT
 * (or multipart completion) returned, so `flush` has nothing left to do: the ingest path
 * commits the index row after `place`. The PUT is signed with the SHA-256 of the bytes
 * computed while they were received, so the store refuses bytes that differ (SigV4 signed
 * payload). A placement record (an empty local file naming the key) exists from before the
 * PUT until the row commits, so a start after a crash removes exactly the objects whose rows
 * never committed.
 */
export class S3BlobStore extends BlobStore {
  private readonly client: S3Client;
  private readonly temps: TempArea;

  constructor(
    private readonly settings: S3Settings,
    root: string,
    private readonly options: { owners?: TempOwners; onError?: (operation: S3Operation) => void; idleTimeoutMs?: number } = {},
  ) {
    super();
    this.client = new S3Client(s3ClientConfig(settings, options.idleTimeoutMs));
    this.temps = new TempArea(join(root, 'tmp'), options.owners ?? new ProcessTempOwners());
    mkdirSync(this.temps.dir, { recursive: true });
  }

  /** The bucket is there and these credentials may use it: else throws a message naming the setting. */
  async reachable(): Promise<void> {
    await this.call('head', () => this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket })), 'bucket');
  }

  createTemp(): TempBlobWriter {
    return new FileTempBlobWriter(this.temps.newTempPath());
  }

  async place(temp: TempBlob, key: string): Promise<void> {
    closeTemp(temp);
    writeFileSync(this.temps.recordPath(key), '');
    try {
      await this.putFile(temp.path, temp.size, temp.sha256, key);
    } catch (err) {
      this.settle(key);
      throw err;
    }
  }

  /**
   * Writes a local file as the object `key`: one PUT signed with the file's SHA-256 (hex), or
   * above MULTIPART_ABOVE a multipart upload whose parts go up from buffers of PART_SIZE, each
   * signed with its own SHA-256 by the SDK. Resolves once the store holds it durably.
   */
  async putFile(path: string, size: number, sha256: string, key: string): Promise<void> {
    if (size <= MULTIPART_ABOVE) {
      const put = new PutObjectCommand({ ...this.object(key), Body: createReadStream(path), ContentLength: size });
      await this.call('put', () => this.client.send(withPayloadHash(put, sha256)));
      return;
    }
    const Body = createReadStream(path, { highWaterMark: PART_SIZE });
    const upload = new Upload({ client: this.client, params: { ...this.object(key), Body }, partSize: PART_SIZE, queueSize: 2, leavePartsOnError: false });
    await this.call('put', () => upload.done());
  }

  settle(key: string): void {
    rm(this.temps.recordPath(key), { force: true }).catch(() => undefined); // else left for the next start
  }

  /** The object is durable once place() returned; only the local temporary file is left. */
  async flush(temp: TempBlob, _key?: string): Promise<void> {
    await rm(temp.path, { force: true });
  }

  async discardTemp(temp: TempBlob): Promise<void> {
    closeTemp(temp);
    await rm(temp.path, { force: true });
  }

  read(key: string, range?: { start: number; end?: number }): Readable {
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const Range = range ? `bytes=${range.start}-${range.end ?? ''}` : undefined;
    this.call('get', () => this.client.send(new GetObjectCommand({ ...this.object(key), Range }))).then(
      (res) => (res.Body as Readable).on('error', (err) => out.destroy(err)).pipe(out),
      (err) => out.destroy(err),
    );
    return out;
  }

  async readInto(key: string, target: Buffer): Promise<number> {
    const res = await this.call('get', () => this.client.send(new GetObjectCommand(this.object(key))));
    if (res.ContentLength !== undefined && res.ContentLength > target.length) {
      (res.Body as Readable).destroy();
      throw new Error(`blob ${key} is larger than the ${target.length} bytes expected`);
    }
    let length = 0;
    for await (const chunk of res.Body as Readable) {
      const bytes = chunk as Buffer;
      if (length + bytes.length > target.length) throw new Error(`blob ${key} is larger than the ${target.length} bytes expected`);
      bytes.copy(target, length);
      length += bytes.length;
    }
    return length;
  }

  async remove(key: string): Promise<void> {
    await this.call('delete', () => this.client.send(new DeleteObjectCommand(this.object(key))));
    this.settle(key);
  }

  /** A DELETE that returned is durable. */
  async flushRemovals(): Promise<void> {}

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    const head = await this.call('head', () => this.client.send(new HeadObjectCommand(this.object(key)))).catch((err: StorageError) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    return head && { size: head.ContentLength ?? 0, modifiedMs: head.LastModified?.getTime() ?? 0 };
  }

  /** ListObjectsV2 returns keys in UTF-8 byte order: for blob keys (ASCII) that is compareKeys order. */
  async *keys(): AsyncIterable<string> {
    const prefix = this.settings.prefix ?? '';
    let token: string | undefined;
    do {
      const page = await this.call('list', () => this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix || undefined, ContinuationToken: token })));
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key.slice(prefix.length);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** A bucket has no free-space figure: the guard against a full disk does not apply. */
  async freeSpace(): Promise<{ freeBytes: number; totalBytes: number }> {
    return { freeBytes: Number.MAX_SAFE_INTEGER, totalBytes: Number.MAX_SAFE_INTEGER };
  }

  sweepTemp(unreferenced: UnreferencedKeys): Promise<TempSweep> {
    return this.temps.sweep(unreferenced, async (key) => {
      await this.remove(key);
      return true;
    });
  }

  placementsInFlight(): Promise<Set<string>> {
    return this.temps.placementsInFlight();
  }

  private object(key: string): { Bucket: string; Key: string } {
    return { Bucket: this.settings.bucket, Key: `${this.settings.prefix ?? ''}${checkedKey(key)}` };
  }

  private async call<T>(operation: S3Operation, request: () => Promise<T>, target: 'bucket' | 'object' = 'object'): Promise<T> {
    try {
      return await request();
    } catch (err) {
      const failure = storageError(err, this.settings, target);
      if (failure.code !== 'ENOENT') this.options.onError?.(operation);
      throw failure;
    }
  }
}

/** The writer keeps the descriptor open for a filesystem store's fsync; an upload reads by path. */
function closeTemp(temp: TempBlob): void {
  const fd = openFiles.get(temp);
  openFiles.delete(temp);
  if (fd !== undefined) closeQuietly(fd);
}
