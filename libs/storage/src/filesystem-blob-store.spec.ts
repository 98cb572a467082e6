import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { TempBlob } from './blob-store';
import { compareKeys } from './blob-store';
import { FilesystemBlobStore, parentsToSync } from './filesystem-blob-store';
import type { OwnerState, TempOwners } from './temp-owner';

async function read(store: FilesystemBlobStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of store.read(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Place, flush and settle: a blob stored for good. */
async function commit(store: FilesystemBlobStore, temp: TempBlob, key: string): Promise<void> {
  await store.place(temp, key);
  await store.flush(temp, key);
  store.settle(key);
}

async function tempWith(store: FilesystemBlobStore, text: string): Promise<TempBlob> {
  const writer = store.createTemp();
  writer.write(Buffer.from(text));
  return writer.finish();
}

/** Owners as a test says: 'gone' is dead, 'far' cannot be checked, any other is running. */
function owners(self: string): TempOwners {
  return { self, state: (owner): OwnerState => (owner === 'gone' ? 'dead' : owner === 'far' ? 'unknown' : 'alive') };
}

describe('filesystem blob store', () => {
  const root = mkdtempSync(join(tmpdir(), 'pacs-blobs-'));
  const store = new FilesystemBlobStore(root);
  const tmpFiles = () => readdirSync(join(root, 'tmp'));

  it('commits a temporary blob under its key with its size, SHA-256 and first bytes', async () => {
    const bytes = Buffer.concat([Buffer.alloc(70_000, 1), Buffer.from('tail')]);
    const writer = store.createTemp();
    writer.write(bytes.subarray(0, 1000));
    writer.write(bytes.subarray(1000));
    const temp = await writer.finish();
    assert.equal(temp.size, bytes.length);
    assert.equal(temp.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.ok(temp.head?.equals(bytes.subarray(0, 64 * 1024)));
    await commit(store, temp, 'ab/cd/blob.dcm');
    assert.ok((await read(store, 'ab/cd/blob.dcm')).equals(bytes));
    assert.deepEqual(tmpFiles(), []);
  });

  it('discards a temporary blob, finished or not, leaving nothing', async () => {
    const unfinished = store.createTemp();
    unfinished.write(Buffer.from('partial'));
    await unfinished.discard();
    const finished = store.createTemp();
    finished.write(Buffer.from('whole'));
    await store.discardTemp(await finished.finish());
    assert.deepEqual(tmpFiles(), []);
  });

  it('releases every file descriptor it opened, whichever way a blob ends', async () => {
    const openFds = () => readdirSync('/proc/self/fd').length;
    const before = openFds();
    const big = Buffer.alloc(3 << 20, 7); // more than one gathered write
    const inFlight = store.createTemp();
    inFlight.write(big); // a write is under way when the blob is discarded
    const discarded = inFlight.discard();
    const placed = store.createTemp();
    placed.write(big);
    const placedBlob = await placed.finish();
    await store.place(placedBlob, 'fd/fd/placed.dcm'); // its fsync runs while it is discarded
    const neverPlaced = store.createTemp();
    neverPlaced.end(Buffer.from('x'));
    await Promise.all([discarded, store.discardTemp(placedBlob), store.discardTemp(await neverPlaced.finish())]);
    await store.remove('fd/fd/placed.dcm');
    const committed = store.createTemp();
    committed.write(big);
    await commit(store, await committed.finish(), 'fd/fd/committed.dcm');
    assert.equal(openFds(), before);
    assert.deepEqual(tmpFiles(), []);
  });

  it('keeps a record of each placement until it is settled or removed, and never places a key twice', async () => {
    const records = () => tmpFiles().filter((n) => n.endsWith('.placed'));
    const temp = await tempWith(store, 'one');
    await store.place(temp, 'aa/bb/one.dcm');
    await store.flush(temp, 'aa/bb/one.dcm');
    assert.equal(records().length, 1);
    store.settle('aa/bb/one.dcm');
    assert.deepEqual(records(), []);
    const again = await tempWith(store, 'again');
    await assert.rejects(store.place(again, 'aa/bb/one.dcm'), { code: 'EEXIST' });
    await store.discardTemp(again);
    assert.equal((await read(store, 'aa/bb/one.dcm')).toString(), 'one');
    const dropped = await tempWith(store, 'dropped');
    await store.place(dropped, 'aa/bb/dropped.dcm');
    await store.flush(dropped, 'aa/bb/dropped.dcm');
    await store.remove('aa/bb/dropped.dcm');
    assert.deepEqual(tmpFiles(), []);
    assert.equal(await store.exists('aa/bb/dropped.dcm'), false);
  });

  it('sweeps what a stopped process left (temp files, blobs placed without a row) and nothing of a running one', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'pacs-blobs-'));
    const stopped = new FilesystemBlobStore(shared, { owners: owners('gone') });
    const running = new FilesystemBlobStore(shared, { owners: owners('live') });
    const elsewhere = new FilesystemBlobStore(shared, { owners: owners('far') });
    const me = new FilesystemBlobStore(shared, { owners: owners('me') });
    await tempWith(stopped, 'half written');
    for (const key of ['11/22/unindexed.dcm', '11/22/indexed.dcm']) {
      const temp = await tempWith(stopped, key);
      await stopped.place(temp, key);
      await stopped.flush(temp, key);
    }
    const live = await tempWith(running, 'in flight');
    await running.place(live, '11/22/live.dcm');
    await tempWith(elsewhere, 'another host');
    const asked: string[][] = [];
    const swept = await me.sweepTemp(async (keys) => {
      asked.push([...keys].sort());
      return new Set(keys.filter((k) => k !== '11/22/indexed.dcm'));
    });
    assert.deepEqual(swept, { tempFiles: 1, blobsRemoved: 1, blobsKept: 1, foreign: 1 });
    assert.deepEqual(asked, [['11/22/indexed.dcm', '11/22/unindexed.dcm']], 'only the stopped process placements are judged');
    assert.equal(await me.exists('11/22/unindexed.dcm'), false);
    assert.equal(await me.exists('11/22/indexed.dcm'), true);
    assert.equal(await me.exists('11/22/live.dcm'), true);
    assert.deepEqual([...(await me.placementsInFlight())], ['11/22/live.dcm']);
    const left = readdirSync(join(shared, 'tmp')).map((n) => n.split('~')[0]).sort();
    assert.deepEqual(left, ['far', 'live'], 'nothing of the stopped process is left');
    assert.ok(existsSync(live.path) === false, 'the running placement keeps its record, not its temp name');
  });

  it('lists every key in segment order, one directory at a time', async () => {
    const tree = new FilesystemBlobStore(mkdtempSync(join(tmpdir(), 'pacs-blobs-')));
    const keys = ['0a/ff/b.dcm', '0a/ff/a.1.dcm', '0a/0b/z.dcm', 'ff/00/a.dcm', '0a/ff/a.dcm'];
    for (const key of keys) await commit(tree, await tempWith(tree, key), key);
    const listed: string[] = [];
    for await (const key of tree.keys()) listed.push(key);
    assert.deepEqual(listed, ['0a/0b/z.dcm', '0a/ff/a.1.dcm', '0a/ff/a.dcm', '0a/ff/b.dcm', 'ff/00/a.dcm']);
    assert.deepEqual([...listed].sort(compareKeys), listed);
  });

  it('commits blobs placed at once into the same new directory', async () => {
    const temps = await Promise.all(
      ['one', 'two', 'three'].map(async (text) => {
        const writer = store.createTemp();
        writer.write(Buffer.from(text));
        return { text, temp: await writer.finish() };
      }),
    );
    await Promise.all(temps.map(({ text, temp }) => commit(store, temp, `ef/01/${text}.dcm`)));
    for (const { text } of temps) assert.equal((await read(store, `ef/01/${text}.dcm`)).toString(), text);
    assert.deepEqual(readdirSync(join(root, 'blobs', 'ef', '01')).sort(), ['one.dcm', 'three.dcm', 'two.dcm']);
  });

  it('fsyncs the parent of every directory a blob directory creation made', () => {
    assert.deepEqual(parentsToSync('/d/blobs/ab/cd', '/d/blobs/ab'), ['/d/blobs/ab', '/d/blobs']);
    assert.deepEqual(parentsToSync('/d/blobs/ab/cd', '/d/blobs/ab/cd'), ['/d/blobs/ab']);
    assert.deepEqual(parentsToSync('/d/blobs/ab/cd', undefined), []);
  });

  it('after a failed parent fsync, syncs every parent again for the next blob in that directory', async () => {
    const failRoot = mkdtempSync(join(tmpdir(), 'pacs-blobs-'));
    const synced: string[] = [];
    let parentSyncFails = true;
    const failing = new FilesystemBlobStore(failRoot, {
      syncDirectory: async (path) => {
        synced.push(relative(failRoot, path));
        if (parentSyncFails && path.endsWith('/gh')) throw new Error('EIO');
      },
    });
    const temp = async (text: string) => {
      const writer = failing.createTemp();
      writer.write(Buffer.from(text));
      return writer.finish();
    };
    await assert.rejects(commit(failing, await temp('lost'), 'gh/ij/a.dcm'), /EIO/);
    parentSyncFails = false;
    synced.length = 0;
    await commit(failing, await temp('kept'), 'gh/ij/b.dcm');
    assert.deepEqual(synced.sort(), ['blobs', 'blobs/gh', 'blobs/gh/ij']);
    synced.length = 0;
    await commit(failing, await temp('next'), 'gh/ij/c.dcm');
    assert.deepEqual(synced, ['blobs/gh/ij'], 'once durable, only the blob directory itself is synced');
  });

  it('makes removals durable by syncing each directory that held a removed blob once', async () => {
    const dirRoot = mkdtempSync(join(tmpdir(), 'pacs-blobs-'));
    const synced: string[] = [];
    const spied = new FilesystemBlobStore(dirRoot, { syncDirectory: async (path) => void synced.push(relative(dirRoot, path)) });
    for (const key of ['aa/01/x.dcm', 'aa/01/y.dcm', 'bb/02/z.dcm']) await commit(spied, await tempWith(spied, key), key);
    for (const key of ['aa/01/x.dcm', 'aa/01/y.dcm', 'bb/02/z.dcm']) await spied.remove(key);
    synced.length = 0;
    await spied.flushRemovals(['aa/01/x.dcm', 'aa/01/y.dcm', 'bb/02/z.dcm']);
    assert.deepEqual(synced.sort(), ['blobs/aa/01', 'blobs/bb/02']);
  });

  it('refuses keys that would leave the blob directory', () => {
    assert.throws(() => store.read('../etc/passwd'));
    assert.throws(() => store.read('/etc/passwd'));
  });
});
