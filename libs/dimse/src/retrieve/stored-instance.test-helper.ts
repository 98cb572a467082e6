import type { StoredInstance } from '@pacs/index';

/** A CT instance as the index returns it for a retrieve (unit tests of the retrieve path). */
export function storedInstance(n: number, sizeBytes = 10): StoredInstance {
  return {
    studyUid: '1.2',
    seriesUid: '1.2.3',
    sopInstanceUid: `1.2.3.${n}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    blobKey: `k${n}`,
    sizeBytes,
  };
}
