import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileInto } from './read-into';

describe('readFileInto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'read-into-'));
  const file = join(dir, 'ten.bin');
  writeFileSync(file, Buffer.from('0123456789'));

  it('reads the whole file into the start of the target, with or without the expected length', async () => {
    for (const expected of [undefined, 10]) {
      const target = Buffer.alloc(64, 0xff);
      assert.equal(await readFileInto(file, target, expected), 10);
      assert.equal(target.toString('latin1', 0, 10), '0123456789');
      assert.equal(target[10], 0xff);
    }
  });

  it('reports the real length when the file is not the expected size', async () => {
    assert.equal(await readFileInto(file, Buffer.alloc(64), 4), 10);
    assert.equal(await readFileInto(file, Buffer.alloc(64), 12), 10);
  });

  it('rejects a file larger than the target, also when it is exactly full', async () => {
    await assert.rejects(readFileInto(file, Buffer.alloc(8)), /larger than the 8 bytes/);
    await assert.rejects(readFileInto(file, Buffer.alloc(9), 9), /larger than the 9 bytes/);
  });

  it('rejects a missing file', async () => {
    await assert.rejects(readFileInto(join(dir, 'none'), Buffer.alloc(8)), { code: 'ENOENT' });
  });
});
