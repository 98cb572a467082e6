import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Radosgw, startRadosgw } from '../../../test/support/radosgw';
import { TempBlob } from './blob-store';
import { S3BlobStore } from './s3-blob-store';
import { OwnerState, TempOwners } from './temp-owner';

/** Stands for a process that is gone (its placements are swept) or running. */
class Owners implements TempOwners {
  constructor(
    readonly self: string,
    private readonly dead: Set<string>,
  ) {}
  state(owner: string): OwnerState {
    return this.dead.has(owner) ? 'dead' : 'alive';
  }
}

describe('blob store on a real S3 server (Ceph radosgw)', () => {
  let gateway: Radosgw;
  let root: string;
  let store: S3BlobStore;
  const settings = () => ({ bucket: 'blobs', prefix: 'site-a/', endpoint: gateway.endpoint, region: 'us-east-1', forcePathStyle: true });

  before(async () => {
    gateway = await startRadosgw();
    await gateway.createBucket('blobs');
    process.env.AWS_ACCESS_KEY_ID = gateway.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = gateway.secretAccessKey;
    root = mkdtempSync(join(tmpdir(), 'pacs-s3-store-'));
    store = new S3BlobStore(settings(), root, { owners: new Owners('me', new Set()) });
    await store.reachable();
  });

  after(async () => {
    await gateway?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function temp(bytes: Buffer, into = store): Promise<TempBlob> {
    const writer = into.createTemp();
    writer.write(bytes);
    return writer.finish();
  }

  async function readAll(key: string, range?: { start: number; end?: number }): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of store.read(key, range)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  it('stores an instance under its key and gives it back whole, by range and into a buffer', async () => {
    const bytes = randomBytes(700_000);
    const blob = await temp(bytes);
    await store.place(blob, 'ab/cd/one.dcm');
    await store.flush(blob, 'ab/cd/one.dcm');
    store.settle('ab/cd/one.dcm');
    assert.deepEqual(await readAll('ab/cd/one.dcm'), bytes);
    assert.deepEqual(await readAll('ab/cd/one.dcm', { start: 1000, end: 1999 }), bytes.subarray(1000, 2000));
    const target = Buffer.alloc(1 << 20);
    assert.equal(await store.readInto('ab/cd/one.dcm', target), bytes.length);
    assert.deepEqual(target.subarray(0, bytes.length), bytes);
    assert.equal((await store.stat('ab/cd/one.dcm'))?.size, bytes.length);
    assert.deepEqual(readdirSync(join(root, 'tmp')), [], 'no temporary file or placement record left');
  });

  it('refuses bytes that differ from the SHA-256 they were received with', async () => {
    const blob = await temp(randomBytes(10_000));
    const wrong = { ...blob, sha256: createHash('sha256').update('other bytes').digest('hex') };
    await assert.rejects(store.place(wrong, 'ab/cd/corrupt.dcm'));
    assert.equal(await store.exists('ab/cd/corrupt.dcm'), false);
    await store.discardTemp(blob);
  });

  it('sends a large instance in parts and reads it back identical', async () => {
    const bytes = randomBytes(40 * 1024 * 1024);
    const blob = await temp(bytes);
    await store.place(blob, 'ef/01/large.dcm');
    await store.flush(blob, 'ef/01/large.dcm');
    store.settle('ef/01/large.dcm');
    const back = await readAll('ef/01/large.dcm');
    assert.equal(back.length, bytes.length);
    assert.ok(back.equals(bytes));
  });

  it('lists keys in order without the prefix, and removes', async () => {
    assert.deepEqual(await keys(store), ['ab/cd/one.dcm', 'ef/01/large.dcm']);
    await store.remove('ef/01/large.dcm');
    assert.equal(await store.stat('ef/01/large.dcm'), undefined);
    await assert.rejects(readAll('ef/01/large.dcm'), (err: { code?: string }) => err.code === 'ENOENT');
  });

  it('fails a store within its idle timeout when the store hangs, and works again once it answers', async () => {
    const impatient = new S3BlobStore(settings(), root, { owners: new Owners('me', new Set()), idleTimeoutMs: 1000 });
    const blob = await temp(randomBytes(50_000), impatient);
    gateway.freezeGateway();
    const started = Date.now();
    try {
      await assert.rejects(impatient.place(blob, '56/78/hung.dcm'));
    } finally {
      gateway.thawGateway();
    }
    assert.ok(Date.now() - started < 10_000, `failed after ${Date.now() - started} ms`);
    const again = await temp(randomBytes(50_000), impatient);
    await impatient.place(again, '56/78/hung.dcm');
    impatient.settle('56/78/hung.dcm');
    await impatient.flush(again);
    assert.equal(await store.exists('56/78/hung.dcm'), true);
    await store.remove('56/78/hung.dcm');
  });

  it('after a crash, removes the objects a dead process placed whose rows never committed, and keeps the rest', async () => {
    const dead = new S3BlobStore(settings(), root, { owners: new Owners('gone', new Set()) });
    for (const key of ['12/34/committed.dcm', '12/34/never.dcm']) await dead.place(await temp(randomBytes(1000), dead), key);
    const survivor = new S3BlobStore(settings(), root, { owners: new Owners('me', new Set(['gone'])) });
    const swept = await survivor.sweepTemp(async (candidates) => new Set(candidates.filter((k) => k.includes('never'))));
    assert.equal(swept.blobsRemoved, 1);
    assert.equal(swept.blobsKept, 1);
    assert.equal(await store.exists('12/34/never.dcm'), false);
    assert.equal(await store.exists('12/34/committed.dcm'), true);
  });
});

async function keys(store: S3BlobStore): Promise<string[]> {
  const all: string[] = [];
  for await (const key of store.keys()) all.push(key);
  return all;
}
