import { randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { access, FileHandle, mkdir, open, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore, TempBlob, TempBlobWriter } from './blob-store';
import { readFileInto } from './read-into';
import { FileTempBlobWriter, openHandles } from './temp-blob-writer';

/** A temporary file untouched this long belongs to no live write. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Reads of 256 KiB: a typical instance in two or three chunks rather than eight or nine. */
const READ_CHUNK = 256 * 1024;

/**
 * Blobs as files under <root>/blobs/<key>; temporary files under <root>/tmp on the same
 * filesystem so that commit is an atomic rename. Every fsync goes through the libuv pool:
 * the event loop is never blocked (GOTCHAS: ingest speed).
 */
export class FilesystemBlobStore extends BlobStore {
  private readonly blobsDir: string;
  private readonly tmpDir: string;
  private readonly knownDirs = new Set<string>();

  constructor(root: string) {
    super();
    this.blobsDir = join(root, 'blobs');
    this.tmpDir = join(root, 'tmp');
    mkdirSync(this.blobsDir, { recursive: true });
    mkdirSync(this.tmpDir, { recursive: true });
  }

  /**
   * Removes temporary files a crash left behind. Only old ones: another process (the CLI beside
   * the server) may be writing fresh ones in the same directory right now.
   */
  override async sweepTemp(olderThanMs = STALE_TEMP_MS): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > olderThanMs) {
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  createTemp(): TempBlobWriter {
    return new FileTempBlobWriter(join(this.tmpDir, `${randomUUID()}.part`));
  }

  async place(temp: TempBlob, key: string): Promise<void> {
    const target = this.pathOf(key);
    const dir = dirname(target);
    if (!this.knownDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.knownDirs.add(dir);
    }
    await rename(temp.path, target);
  }

  // The file (data and inode) and its directory (the new name) are fsynced at once: both are
  // awaited before the blob counts as durable, and two flushes in flight cost about one.
  async flush(temp: TempBlob, key: string): Promise<void> {
    const target = this.pathOf(key);
    const handle = openHandles.get(temp);
    openHandles.delete(temp);
    await Promise.all([handle ? syncAndClose(handle) : fsyncPath(target), fsyncPath(dirname(target))]);
  }

  async discardTemp(temp: TempBlob): Promise<void> {
    await openHandles.get(temp)?.close().catch(() => undefined);
    openHandles.delete(temp);
    await rm(temp.path, { force: true });
  }

  read(key: string, range?: { start: number; end?: number }): Readable {
    return createReadStream(this.pathOf(key), { highWaterMark: READ_CHUNK, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  readInto(key: string, target: Buffer): Promise<number> {
    return readFileInto(this.pathOf(key), target);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return access(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }

  async size(key: string): Promise<number | undefined> {
    return stat(this.pathOf(key)).then(
      (info) => info.size,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      },
    );
  }

  async freeSpace(): Promise<{ freeBytes: number; totalBytes: number }> {
    const s = await statfs(this.blobsDir);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  }

  private pathOf(key: string): string {
    if (key.includes('..') || key.startsWith('/')) throw new Error(`invalid blob key ${key}`);
    return join(this.blobsDir, key);
  }
}

async function fsyncPath(path: string): Promise<void> {
  await syncAndClose(await open(path, 'r'));
}

async function syncAndClose(handle: FileHandle): Promise<void> {
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
