import { createReadStream, fsync, linkSync, mkdirSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { access, constants, readdir, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { BlobStat, BlobStore, checkedKey, TempBlob, TempBlobWriter } from './blob-store';
import { readFileInto } from './read-into';
import { TempArea, TempSweep, UnreferencedKeys } from './temp-area';
import { closeQuietly, FileTempBlobWriter, openFiles } from './temp-blob-writer';
import { ProcessTempOwners, TempOwners } from './temp-owner';

/** Reads of 256 KiB: a typical instance in two or three chunks rather than eight or nine. */
const READ_CHUNK = 256 * 1024;

const fsyncAsync = promisify(fsync);

/**
 * Blobs as files under <root>/blobs/<key>; temporary files under <root>/tmp (TempArea) on the
 * same filesystem, so that placing is a rename and a hard link, both atomic. Every fsync goes
 * through the libuv pool: the event loop never waits for a flush (GOTCHAS: ingest speed). The
 * metadata calls around them (open, mkdir, rename, link, unlink, close) are made in place, an
 * exception to GOTCHAS' "no *Sync calls": none flushes anything, and each costs the event loop
 * about what sending it through the pool would, without the thread wake-ups (four associations
 * store ~7 % more instances/s). The price: a directory block that has left the page cache is
 * read back with the event loop waiting.
 */
export class FilesystemBlobStore extends BlobStore {
  private readonly blobsDir: string;
  private readonly temps: TempArea;
  private readonly syncDirectory: (path: string) => Promise<void>;
  /** Blob directories this process made or found, each with its creation made durable. */
  private readonly dirs = new Map<string, BlobDirectory>();
  /** Blob directories whose parents' fsync failed: which parent holds an unsynced name is unknown. */
  private readonly unsynced = new Set<string>();
  /** The data fsync of each placed temp blob, started by place() and awaited by flush(). */
  private readonly dataSyncs = new WeakMap<TempBlob, Promise<void>>();

  /**
   * `syncDirectory` is replaceable only so tests can make a directory fsync fail, `owners` so
   * they can stand for processes that are gone.
   */
  constructor(root: string, options: { syncDirectory?: (path: string) => Promise<void>; owners?: TempOwners } = {}) {
    super();
    this.syncDirectory = options.syncDirectory ?? fsyncPath;
    this.blobsDir = join(root, 'blobs');
    this.temps = new TempArea(join(root, 'tmp'), options.owners ?? new ProcessTempOwners());
    mkdirSync(this.blobsDir, { recursive: true });
    mkdirSync(this.temps.dir, { recursive: true });
  }

  override sweepTemp(unreferenced: UnreferencedKeys): Promise<TempSweep> {
    return this.temps.sweep(unreferenced, (key, record) => this.removeIfSame(key, record));
  }

  override placementsInFlight(): Promise<Set<string>> {
    return this.temps.placementsInFlight();
  }

  /** Removes the blob at `key` if it is the file `record` names (the one a dead process placed). */
  private async removeIfSame(key: string, record: string): Promise<boolean> {
    const [blob, placed] = await Promise.all([stat(this.pathOf(key)).catch(() => undefined), stat(record).catch(() => undefined)]);
    if (!blob || !placed || blob.ino !== placed.ino || blob.dev !== placed.dev) return false;
    await rm(this.pathOf(key), { force: true });
    return true;
  }

  createTemp(): TempBlobWriter {
    return new FileTempBlobWriter(this.temps.newTempPath());
  }

  /**
   * The file's fsync starts here, before the mkdir and the links: its data does not depend on
   * its name, so the longest flush overlaps placing it instead of following it. The temporary
   * file is renamed to its placement record first and only then linked under the key, so no
   * blob is ever visible under a key without a record saying so (TempArea). A key that exists
   * already fails the link: keys are never reused.
   */
  async place(temp: TempBlob, key: string): Promise<void> {
    const target = this.pathOf(key);
    const fd = openFiles.get(temp);
    if (fd !== undefined && !this.dataSyncs.has(temp)) {
      const synced = fsyncAsync(fd);
      synced.catch(() => undefined); // awaited by flush or discardTemp
      this.dataSyncs.set(temp, synced);
    }
    await this.directory(dirname(target)).made;
    const record = this.temps.recordPath(key);
    renameSync(temp.path, record);
    try {
      linkSync(record, target);
    } catch (err) {
      renameSync(record, temp.path); // back where discardTemp looks for it
      throw err;
    }
  }

  /** Never fails: a record left behind only costs the next start a look at the index. */
  settle(key: string): void {
    try {
      unlinkSync(this.temps.recordPath(key));
    } catch {
      // none (removed already), or left for the next start
    }
  }

  // The file (data and inode), its directory (the new name) and, for a directory made just now,
  // the parents holding its name are fsynced at once: all are awaited before the blob counts
  // as durable, and flushes in flight together cost about one.
  async flush(temp: TempBlob, key: string): Promise<void> {
    const target = this.pathOf(key);
    const fd = openFiles.get(temp);
    const synced = this.dataSyncs.get(temp);
    openFiles.delete(temp);
    this.dataSyncs.delete(temp);
    const dir = dirname(target);
    const data = fd !== undefined ? syncAndClose(fd, synced) : fsyncPath(target);
    await Promise.all([data, this.syncDirectory(dir), this.directory(dir).durable]);
  }

  /**
   * Makes a blob directory once per process. A directory is only durable once the directory
   * holding its name is fsynced too, so every blob placed in a new directory waits for that,
   * not just the first one (a crash must not lose an acknowledged blob's directory).
   */
  private directory(dir: string): BlobDirectory {
    const known = this.dirs.get(dir);
    if (known) return known;
    const made = new Promise<string | undefined>((resolve) => resolve(mkdirSync(dir, { recursive: true })));
    // After a failed attempt the directories exist, so mkdir reports nothing new: every parent
    // up to the blob root is synced instead, as any of them may hold a name not yet durable.
    const firstNew = (first: string | undefined) => first ?? (this.unsynced.has(dir) ? this.topOf(dir) : undefined);
    const durable = made.then((first) => Promise.all(parentsToSync(dir, firstNew(first)).map((parent) => this.syncDirectory(parent)))).then(() => {
      this.unsynced.delete(dir);
    });
    const entry = { made: made.then(() => undefined), durable };
    durable.catch(() => {
      // a failure is answered once; the next blob into this directory tries again
      this.unsynced.add(dir);
      this.dirs.delete(dir);
    });
    this.dirs.set(dir, entry);
    return entry;
  }

  /** The directory directly under the blob root that contains `dir`. */
  private topOf(dir: string): string {
    return join(this.blobsDir, relative(this.blobsDir, dir).split(sep)[0]);
  }

  async discardTemp(temp: TempBlob): Promise<void> {
    const fd = openFiles.get(temp);
    const synced = this.dataSyncs.get(temp);
    openFiles.delete(temp);
    this.dataSyncs.delete(temp);
    if (fd !== undefined) {
      // an fsync still running on it must end first, or the number could be reused under it
      await synced?.catch(() => undefined);
      closeQuietly(fd);
    }
    await rm(temp.path, { force: true });
  }

  read(key: string, range?: { start: number; end?: number }): Readable {
    return createReadStream(this.pathOf(key), { highWaterMark: READ_CHUNK, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  readInto(key: string, target: Buffer, expected?: number): Promise<number> {
    return readFileInto(this.pathOf(key), target, expected);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
    this.settle(key);
  }

  async flushRemovals(keys: string[]): Promise<void> {
    const dirs = new Set(keys.map((key) => dirname(this.pathOf(key))));
    await Promise.all([...dirs].map((dir) => this.syncDirectory(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    })));
  }

  async exists(key: string): Promise<boolean> {
    return access(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    return stat(this.pathOf(key)).then(
      (info) => ({ size: info.size, modifiedMs: info.mtimeMs }),
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      },
    );
  }

  keys(): AsyncIterable<string> {
    return walk(this.blobsDir, '');
  }

  async freeSpace(): Promise<{ freeBytes: number; totalBytes: number }> {
    const s = await statfs(this.blobsDir);
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  }

  async reachable(): Promise<void> {
    await access(this.blobsDir, constants.W_OK);
  }

  /** The file of a blob (for `pacs storage copy-to-s3`, which uploads files as they are). */
  pathOf(key: string): string {
    return join(this.blobsDir, checkedKey(key));
  }
}

interface BlobDirectory {
  made: Promise<void>;
  durable: Promise<void>;
}

/**
 * The directories whose entries changed when `mkdir -p dir` created `first` and everything below
 * it: the parent of each new directory. None when nothing was created.
 */
export function parentsToSync(dir: string, first: string | undefined): string[] {
  if (!first) return [];
  const parents: string[] = [];
  for (let d = dir; d !== dirname(first); d = dirname(d)) parents.push(dirname(d));
  return parents;
}

/** Files below `dir` as keys, each directory's entries sorted (so keys come in compareKeys order). */
async function* walk(dir: string, prefix: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []; // removed while walking
    throw err;
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* walk(join(dir, entry.name), key);
    else if (entry.isFile()) yield key;
  }
}

async function fsyncPath(path: string): Promise<void> {
  await syncAndClose(openSync(path, 'r'));
}

/** `started`: an fsync of this descriptor already in flight, awaited instead of a second one. */
async function syncAndClose(fd: number, started?: Promise<void>): Promise<void> {
  try {
    await (started ?? fsyncAsync(fd));
  } finally {
    closeQuietly(fd);
  }
}
