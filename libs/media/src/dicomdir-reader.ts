import { promises as fs } from 'node:fs';
import * as dicomParser from 'dicom-parser';

/**
 * The Referenced File IDs (0004,1500) of a DICOMDIR's records in use (PS3.3 F.3.2.2), each as
 * its components (`DICOM\PAT00001\…` → ['DICOM', 'PAT00001', …]). Records marked unused
 * (Record In-use Flag 0000) are left out. Throws when the file is no readable DICOMDIR.
 */
export async function readDicomdirFileIds(path: string): Promise<string[][]> {
  const bytes = await fs.readFile(path);
  const dataSet = dicomParser.parseDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  const records = dataSet.elements.x00041220?.items ?? [];
  const ids: string[][] = [];
  for (const item of records) {
    const record = item.dataSet;
    if (!record || record.uint16('x00041410') === 0) continue;
    const fileId = record.string('x00041500');
    if (fileId) ids.push(fileId.split('\\').map((c) => c.trim()).filter(Boolean));
  }
  return ids;
}
