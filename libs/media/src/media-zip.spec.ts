// The ZIP's length is announced before its first byte (Content-Length): it must be exactly what
// is then written, also past the ~700 files where yazl's own prediction goes wrong.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { MediaInstance } from '@pacs/index';
import { mediaZip } from './media-zip';

function instances(count: number): MediaInstance[] {
  return Array.from({ length: count }, (_, n) => ({
    studyUid: '1.2.3',
    seriesUid: `1.2.3.${Math.floor(n / 500)}`,
    sopInstanceUid: `1.2.3.9.${n}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    blobKey: `k${n}`,
    sizeBytes: 100 + (n % 7),
    patient: { id: 'P1', issuer: '', name: 'DOE^JANE' },
    study: { date: '20260101', time: '1015', accessionNumber: 'A1', description: null, studyId: '1' },
    series: { modality: 'CT', number: Math.floor(n / 500) + 1 },
    instanceNumber: n + 1,
  }));
}

async function length(stream: Readable): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += (chunk as Buffer).length;
  return n;
}

describe('media ZIP', () => {
  for (const count of [3, 2000]) {
    it(`writes exactly the length it announced, for ${count} files`, async () => {
      const list = instances(count);
      const zip = await mediaZip(list, (i) => Readable.from([Buffer.alloc(i.sizeBytes, 1)]));
      assert.equal(zip.files, count);
      assert.equal(await length(zip.stream), zip.size);
    });
  }
});
