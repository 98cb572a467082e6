import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FilesystemBlobStore, parentsToSync } from './filesystem-blob-store';

async function read(store: FilesystemBlobStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of store.read(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
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
    await store.commit(temp, 'ab/cd/blob.dcm');
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
    const committed = store.createTemp();
    committed.write(big);
    await store.commit(await committed.finish(), 'fd/fd/committed.dcm');
    assert.equal(openFds(), before);
    assert.deepEqual(tmpFiles(), []);
  });

  it('sweeps only stale temporary files', async () => {
    const stale = store.createTemp();
    stale.write(Buffer.from('left by a crash'));
    const staleBlob = await stale.finish();
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(staleBlob.path, old, old);
    const fresh = store.createTemp();
    fresh.write(Buffer.from('in flight'));
    const freshBlob = await fresh.finish();
    assert.equal(await store.sweepTemp(), 1);
    assert.deepEqual(tmpFiles(), [freshBlob.path.split('/').pop()]);
    await store.discardTemp(freshBlob);
    await store.discardTemp(staleBlob);
  });

  it('commits blobs placed at once into the same new directory', async () => {
    const temps = await Promise.all(
      ['one', 'two', 'three'].map(async (text) => {
        const writer = store.createTemp();
        writer.write(Buffer.from(text));
        return { text, temp: await writer.finish() };
      }),
    );
    await Promise.all(temps.map(({ text, temp }) => store.commit(temp, `ef/01/${text}.dcm`)));
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
    const failing = new FilesystemBlobStore(failRoot, async (path) => {
      synced.push(relative(failRoot, path));
      if (parentSyncFails && path.endsWith('/gh')) throw new Error('EIO');
    });
    const temp = async (text: string) => {
      const writer = failing.createTemp();
      writer.write(Buffer.from(text));
      return writer.finish();
    };
    await assert.rejects(failing.commit(await temp('lost'), 'gh/ij/a.dcm'), /EIO/);
    parentSyncFails = false;
    synced.length = 0;
    await failing.commit(await temp('kept'), 'gh/ij/b.dcm');
    assert.deepEqual(synced.sort(), ['blobs', 'blobs/gh', 'blobs/gh/ij']);
    synced.length = 0;
    await failing.commit(await temp('next'), 'gh/ij/c.dcm');
    assert.deepEqual(synced, ['blobs/gh/ij'], 'once durable, only the blob directory itself is synced');
  });

  it('refuses keys that would leave the blob directory', () => {
    assert.throws(() => store.read('../etc/passwd'));
    assert.throws(() => store.read('/etc/passwd'));
  });
});
