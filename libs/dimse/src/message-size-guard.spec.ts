import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pDataTf as pData } from '../../../test/support/raw-pdu';
import { MessageSizeGuard } from './message-size-guard';

/** An implicit VR little endian command set holding only Command Field (0000,0100). */
function commandSet(commandField: number): Buffer {
  const b = Buffer.alloc(10);
  b.writeUInt16LE(0x0000, 0);
  b.writeUInt16LE(0x0100, 2);
  b.writeUInt32LE(2, 4);
  b.writeUInt16LE(commandField, 8);
  return b;
}

const limits = { commandBytes: 64, datasetBytes: 100 };

describe('MessageSizeGuard', () => {
  it('lets a C-FIND identifier up to the limit through, and stops one past it', () => {
    const guard = new MessageSizeGuard(limits);
    assert.equal(guard.inspect(pData(commandSet(0x0020), true, true)), undefined);
    assert.equal(guard.inspect(pData(Buffer.alloc(60), false, false)), undefined);
    assert.equal(guard.inspect(pData(Buffer.alloc(40), false, true)), undefined, 'exactly the limit');
    assert.equal(guard.inspect(pData(commandSet(0x0020), true, true)), undefined);
    assert.equal(guard.inspect(pData(Buffer.alloc(60), false, false)), undefined);
    assert.equal(guard.inspect(pData(Buffer.alloc(41), false, false)), 'a data set of more than 100 bytes with command 0x0020');
  });

  it('leaves C-STORE data sets to the store path, whatever their size', () => {
    const guard = new MessageSizeGuard(limits);
    guard.inspect(pData(commandSet(0x0001), true, true));
    for (let i = 0; i < 10; i++) assert.equal(guard.inspect(pData(Buffer.alloc(90), false, false)), undefined);
  });

  it('stops a command set that never ends, and reads a command field split over fragments', () => {
    const guard = new MessageSizeGuard(limits);
    const command = commandSet(0x0020);
    assert.equal(guard.inspect(pData(command.subarray(0, 5), true, false)), undefined);
    assert.equal(guard.inspect(pData(command.subarray(5), true, true)), undefined);
    assert.match(guard.inspect(pData(Buffer.alloc(101), false, false)) ?? '', /command 0x0020/);
    const endless = new MessageSizeGuard(limits);
    assert.equal(endless.inspect(pData(Buffer.alloc(60), true, false)), undefined);
    assert.equal(endless.inspect(pData(Buffer.alloc(5), true, false)), 'a command set of more than 64 bytes');
  });

  it('ignores PDUs other than P-DATA-TF', () => {
    assert.equal(new MessageSizeGuard(limits).inspect(Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0])), undefined);
  });
});
