import { getString, readInstanceHeader } from '@pacs/dicom';

/** The identifiers of one corpus file, for building request URLs. */
export interface InstanceUids {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
}

/** UIDs of each file, in the files' order (one file open at a time), read by the ingest's own header reader. */
export async function corpusUids(files: string[]): Promise<InstanceUids[]> {
  const uids: InstanceUids[] = [];
  for (const file of files) {
    const { dataset } = await readInstanceHeader(file);
    uids.push({ studyUid: getString(dataset, '0020000D') ?? '', seriesUid: getString(dataset, '0020000E') ?? '', sopInstanceUid: getString(dataset, '00080018') ?? '' });
  }
  return uids;
}
