import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { leanMessageCoding } from './dataset-encoding';

type MemoryStream = { new (): Gatherer; createWriteStream(): Gatherer; createReadStream(): Gatherer };
type Gatherer = { write(chunk: Buffer | string): void; toBuffer(): Buffer; queue: (Buffer | string)[] };

describe('leanMessageCoding: memorystream', () => {
  const memoryStream = createRequire(require.resolve('dcmjs-dimse'))('memorystream') as MemoryStream;

  it('gathers received chunks (buffers and strings) into the same bytes without the deprecated Buffer()', () => {
    leanMessageCoding({ _sendPDataTF: () => undefined, _performDimse: () => undefined });
    const deprecated = globalThis.Buffer;
    const calls: unknown[] = [];
    // Buffer() without `new` (DEP0005) would be a call of the global Buffer function.
    globalThis.Buffer = new Proxy(deprecated, { apply: (...args) => calls.push(args), construct: (...args) => (calls.push(args), Reflect.construct(...args)) });
    try {
      for (const stream of [new memoryStream(), memoryStream.createWriteStream(), memoryStream.createReadStream()]) {
        stream.queue = [Buffer.from([1, 2]), 'AB', Buffer.from([3])];
        assert.deepEqual([...stream.toBuffer()], [1, 2, 0x41, 0x42, 3]);
      }
    } finally {
      globalThis.Buffer = deprecated;
    }
    assert.equal(calls.length, 0);
  });
});
