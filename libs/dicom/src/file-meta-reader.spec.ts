import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemorySource } from './byte-source';
import { DicomParseError } from './dicom-parse-error';
import { readFileMeta } from './file-meta-reader';
import { TransferSyntax } from './transfer-syntax';
import { buildInstance } from '../../../test/support/generator';

const GROUP_LENGTH_AT = 140;
// The data set starts with Specific Character Set (0008,0005).
const file = () => buildInstance({ specificCharacterSet: 'ISO_IR 100', rows: 4, pixelData: Buffer.alloc(32) }).bytes;
const metaEnd = (bytes: Buffer) => 144 + bytes.readUInt32LE(GROUP_LENGTH_AT);

async function refused(bytes: Buffer, pattern: RegExp): Promise<void> {
  await assert.rejects(readFileMeta(new MemorySource(bytes)), (e: unknown) => {
    assert.ok(e instanceof DicomParseError, String(e));
    assert.match(e.message, /^File Meta Information malformed \(PS3\.10 7\.1\): /);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('File Meta Information (PS3.10 7.1)', () => {
  it('ends where its group length says, and names the transfer syntax', async () => {
    const bytes = file();
    const meta = await readFileMeta(new MemorySource(bytes));
    assert.equal(meta.end, metaEnd(bytes));
    assert.equal(meta.transferSyntaxUid, TransferSyntax.ExplicitVRLittleEndian);
  });

  it('refuses a group length of 0x7FFFFFFF, far past the end of the file', async () => {
    const bytes = file();
    bytes.writeUInt32LE(0x7fffffff, GROUP_LENGTH_AT);
    await refused(bytes, /its group length \(0002,0000\) says 2147483647 bytes, more than the \d+ left in the file/);
  });

  it('refuses a group length that reaches into the data set, or stops inside the last meta element', async () => {
    const longer = file();
    const actual = longer.readUInt32LE(GROUP_LENGTH_AT);
    longer.writeUInt32LE(actual + 10, GROUP_LENGTH_AT);
    await refused(longer, new RegExp(`says ${actual + 10} bytes, but the group ends after ${actual}, where \\(0008,0005\\) starts`));
    // A file of its own, whose UIDs may be of another length (2.25. and 38 or 39 digits).
    const shorter = file();
    const own = shorter.readUInt32LE(GROUP_LENGTH_AT);
    shorter.writeUInt32LE(own - 2, GROUP_LENGTH_AT);
    await refused(shorter, new RegExp(`says ${own - 2} bytes, which ends inside \\(0002,\\w{4}\\) at byte \\d+`));
  });

  it('reads a group without group length up to the first other group, as old writers left it', async () => {
    const bytes = file();
    const withoutLength = Buffer.concat([bytes.subarray(0, 132), bytes.subarray(144)]);
    const meta = await readFileMeta(new MemorySource(withoutLength));
    assert.equal(meta.end, metaEnd(bytes) - 12);
    assert.equal(meta.transferSyntaxUid, TransferSyntax.ExplicitVRLittleEndian);
  });

  it('refuses a meta element that is not explicit VR, or is cut off by the end of the file', async () => {
    const bytes = file();
    const at = bytes.indexOf(Buffer.from([0x02, 0x00, 0x10, 0x00]), 132);
    bytes.write('XX', at + 4, 'latin1');
    await refused(bytes, new RegExp(`\\(0002,0010\\) at byte ${at} has VR "XX"`));
    const cut = file().subarray(0, 190);
    await refused(Buffer.concat([cut.subarray(0, 132), cut.subarray(144)]), /the file ends inside the group/);
  });

  it('refuses a file without "DICM"', async () => {
    await assert.rejects(readFileMeta(new MemorySource(Buffer.alloc(200))), /no "DICM" prefix/);
  });
});
