import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { TempBlob, TempBlobWriter } from '@pacs/storage';
import { StoreSink } from './store-sink';

/** An in-memory TempBlobWriter that records what reached "disk". */
class FakeTemp extends Writable implements TempBlobWriter {
  readonly path = '/tmp/fake.part';
  chunks: Buffer[] = [];
  discarded = false;
  finished = false;

  get bytesWritten(): number {
    return Buffer.concat(this.chunks).length;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    setImmediate(done);
  }

  async finish(): Promise<TempBlob> {
    await new Promise<void>((resolve) => this.end(resolve));
    this.finished = true;
    return { path: this.path, size: this.bytesWritten, sha256: 'x' };
  }

  async discard(): Promise<void> {
    this.discarded = true;
    this.destroy();
  }
}

async function feed(sink: StoreSink, chunks: Buffer[]): Promise<void> {
  for (const c of chunks) sink.write(c);
  sink.end();
}

describe('StoreSink (C-STORE data set to a temporary blob)', () => {
  it('writes the Part 10 header, then the data set, and finishes the blob', async () => {
    const temp = new FakeTemp();
    const sink = new StoreSink(temp, Buffer.from('HDR'), 100);
    await feed(sink, [Buffer.from('abc'), Buffer.from('def')]);
    const outcome = await sink.complete();
    assert.equal(outcome.kind, 'stored');
    assert.equal(Buffer.concat(temp.chunks).toString(), 'HDRabcdef');
    assert.ok(temp.finished);
  });

  it('past maxBytes discards the blob, drops the rest and reports too-large', async () => {
    const temp = new FakeTemp();
    const sink = new StoreSink(temp, Buffer.from('H'), 4);
    await feed(sink, [Buffer.from('abc'), Buffer.from('def'), Buffer.from('ghi')]);
    const outcome = await sink.complete();
    assert.deepEqual(outcome, { kind: 'too-large', received: 6 });
    assert.ok(temp.discarded);
    assert.equal(Buffer.concat(temp.chunks).toString().includes('ghi'), false);
  });

  it('without a blob drops everything and reports the refusal', async () => {
    const sink = new StoreSink(null, Buffer.alloc(0), 4);
    await feed(sink, [Buffer.alloc(10)]);
    assert.deepEqual(await sink.complete(), { kind: 'refused' });
  });

  it('reports a blob write error as failed', async () => {
    const temp = new FakeTemp();
    const sink = new StoreSink(temp, Buffer.from('H'), 100);
    temp.emit('error', new Error('disk full'));
    await feed(sink, [Buffer.from('abc')]);
    const outcome = await sink.complete();
    assert.equal(outcome.kind, 'failed');
  });
});
