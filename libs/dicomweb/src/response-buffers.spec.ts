import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { ResponseBuffers } from './response-buffers';

const KiB = 1024;

/** A response as lend() sees it: closes either written out or cut short. */
class FakeResponse extends EventEmitter {
  closed = false;
  writableFinished = false;
  close(finished: boolean): void {
    this.writableFinished = finished;
    this.closed = true;
    this.emit('close');
  }
}

describe('buffers for whole-instance responses (ResponseBuffers)', () => {
  it('reuses the buffer of a response written out in full for the next instance', () => {
    const buffers = new ResponseBuffers({ largest: 1024 * KiB, total: 2048 * KiB });
    const first = new FakeResponse();
    const a = buffers.lend(300 * KiB, first)!;
    assert.ok(a.length >= 300 * KiB);
    first.close(true);
    assert.equal(buffers.lend(200 * KiB, new FakeResponse()), a);
    assert.equal(buffers.heldBytes, a.length);
  });

  it('never lends the buffer of a response still being written', () => {
    const buffers = new ResponseBuffers({ largest: 1024 * KiB, total: 2048 * KiB });
    const a = buffers.lend(300 * KiB, new FakeResponse())!;
    const b = buffers.lend(300 * KiB, new FakeResponse())!;
    assert.notEqual(a, b);
  });

  it('declines beyond its byte budget and for instances larger than its largest, so the caller streams', () => {
    const buffers = new ResponseBuffers({ largest: 512 * KiB, total: 1024 * KiB });
    assert.equal(buffers.lend(600 * KiB, new FakeResponse()), undefined);
    assert.ok(buffers.lend(500 * KiB, new FakeResponse()));
    assert.ok(buffers.lend(500 * KiB, new FakeResponse()));
    assert.equal(buffers.lend(500 * KiB, new FakeResponse()), undefined);
    assert.ok(buffers.heldBytes <= 1024 * KiB);
  });

  it('drops a cut-short response\'s buffer (the socket may still read it) and frees its share of the budget', () => {
    const buffers = new ResponseBuffers({ largest: 512 * KiB, total: 512 * KiB });
    const cut = new FakeResponse();
    const a = buffers.lend(500 * KiB, cut)!;
    assert.equal(buffers.lend(500 * KiB, new FakeResponse()), undefined);
    cut.close(false);
    assert.equal(buffers.heldBytes, 0);
    const b = buffers.lend(500 * KiB, new FakeResponse());
    assert.ok(b && b !== a);
  });

  it('lends nothing for a response already closed (its close would never give the buffer back)', () => {
    const buffers = new ResponseBuffers({ largest: 512 * KiB, total: 512 * KiB });
    const gone = new FakeResponse();
    gone.close(false);
    assert.equal(buffers.lend(100 * KiB, gone), undefined);
    assert.equal(buffers.heldBytes, 0);
  });

  it('makes room for a larger instance by dropping free buffers, within the budget', () => {
    const buffers = new ResponseBuffers({ largest: 1024 * KiB, total: 1024 * KiB });
    const small = new FakeResponse();
    buffers.lend(300 * KiB, small);
    small.close(true);
    const big = buffers.lend(900 * KiB, new FakeResponse());
    assert.ok(big && big.length >= 900 * KiB);
    assert.ok(buffers.heldBytes <= 1024 * KiB);
  });
});
