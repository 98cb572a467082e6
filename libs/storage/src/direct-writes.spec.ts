import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlignedSlots, probeDirectWrites, SLOT_BYTES } from './direct-writes';
import { FilesystemBlobStore } from './filesystem-blob-store';
import { FileTempBlobWriter } from './temp-blob-writer';

const root = mkdtempSync(join(tmpdir(), 'pacs-direct-'));
const store = new FilesystemBlobStore(root);
const skip = !store.directWrites.enabled && `this filesystem takes no direct writes: ${store.directWrites.reason}`;

async function stored(bytes: Buffer, key: string, pieces = 3): Promise<Buffer> {
  const writer = store.createTemp();
  const step = Math.ceil(bytes.length / pieces) || 1;
  for (let at = 0; at < bytes.length; at += step) writer.write(bytes.subarray(at, at + step));
  const temp = await writer.finish();
  assert.equal(temp.size, bytes.length);
  assert.equal(temp.sha256, createHash('sha256').update(bytes).digest('hex'));
  await store.commit(temp, key);
  return readFileSync(join(root, 'blobs', key));
}

/** How many slots are free now (all are given back). */
function freeSlots(slots: AlignedSlots): number {
  const taken: Buffer[] = [];
  for (let slot = slots.take(); slot; slot = slots.take()) taken.push(slot);
  for (const slot of taken) slots.give(slot);
  return taken.length;
}

describe('direct writes of blob files', () => {
  it('writes every size byte for byte: empty, under a block, whole blocks, a full slot, and more than one', { skip }, async () => {
    const sizes = [0, 1, 4095, 4096, 4097, 525_123, SLOT_BYTES, SLOT_BYTES + 1, 3 * SLOT_BYTES + 4096 + 17];
    for (const size of sizes) {
      const bytes = randomBytes(size);
      assert.ok((await stored(bytes, `sz/${size}.dcm`)).equals(bytes), `${size} bytes`);
    }
  });

  it('writes through the page cache when every staging slot is taken, and frees the slots of finished blobs', { skip }, async () => {
    const slots = new AlignedSlots();
    const bytes = randomBytes(10_000);
    const writers = Array.from({ length: 40 }, (_, i) => new FileTempBlobWriter(join(root, 'tmp', `many-${i}`), slots));
    for (const w of writers) w.write(bytes); // 32 take a slot, 8 find none
    assert.equal(freeSlots(slots), 0);
    const temps = await Promise.all(writers.map((w) => w.finish()));
    assert.equal(freeSlots(slots), 32);
    await Promise.all(temps.map((t, i) => store.commit(t, `many/${i}.dcm`)));
    for (let i = 0; i < temps.length; i++) assert.ok(readFileSync(join(root, 'blobs', `many/${i}.dcm`)).equals(bytes));
  });

  it('gives the slot back when a blob is discarded during its write', { skip }, async () => {
    const slots = new AlignedSlots();
    const writers = Array.from({ length: 4 }, (_, i) => new FileTempBlobWriter(join(root, 'tmp', `gone-${i}`), slots));
    for (const w of writers) w.write(randomBytes(SLOT_BYTES + 5)); // a full slot is being written
    await Promise.all(writers.map((w) => w.discard()));
    assert.equal(freeSlots(slots), 32);
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  });

  it('starts with slots that are aligned for O_DIRECT, as the probe of a real file shows', { skip }, () => {
    assert.equal(probeDirectWrites(join(root, 'tmp'), new AlignedSlots()), undefined);
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  });
});
