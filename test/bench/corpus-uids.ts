import { promises as fs } from 'node:fs';
import * as dicomParser from 'dicom-parser';

/** The identifiers of one corpus file, for building request URLs. */
export interface InstanceUids {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
}

/** The header bytes read per file: the UIDs come well before the pixel data. */
const HEADER_BYTES = 16 * 1024;

async function uidsOf(file: string): Promise<InstanceUids> {
  const handle = await fs.open(file, 'r');
  try {
    const bytes = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(bytes, 0, HEADER_BYTES, 0);
    const ds = dicomParser.parseDicom(new Uint8Array(bytes.buffer, 0, bytesRead), { untilTag: 'x7fe00010' });
    const uid = (tag: string) => (ds.string(tag) ?? '').replace(/\0+$/, '');
    return { studyUid: uid('x0020000d'), seriesUid: uid('x0020000e'), sopInstanceUid: uid('x00080018') };
  } finally {
    await handle.close();
  }
}

/** UIDs of each file, in the files' order (one file open at a time). */
export async function corpusUids(files: string[]): Promise<InstanceUids[]> {
  const uids: InstanceUids[] = [];
  for (const file of files) uids.push(await uidsOf(file));
  return uids;
}
