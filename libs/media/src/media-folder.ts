import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MediaInstance } from '@pacs/index';
import { buildDicomdir } from './dicomdir';
import { layOutFileSet } from './file-set';

/**
 * Writes a file-set into `folder` (new or empty): each instance's stored Part 10 file under its
 * File ID, then the DICOMDIR, so a folder with a DICOMDIR is a complete one. What a CD or DVD
 * burner, or a workstation reading media, takes as it is (PS3.10 8, PS3.11 General Purpose).
 */
export async function writeMediaFolder(
  folder: string,
  instances: readonly MediaInstance[],
  open: (instance: MediaInstance) => Readable,
  written: () => void = () => undefined,
): Promise<number> {
  await fs.mkdir(folder, { recursive: true });
  const present = await fs.readdir(folder);
  if (present.length > 0) throw new Error(`${folder} is not empty: media are written into a new or empty folder`);
  const fileSet = layOutFileSet(instances);
  for (const { fileId, instance } of fileSet.files) {
    const path = join(folder, ...fileId);
    await fs.mkdir(join(path, '..'), { recursive: true });
    await pipeline(open(instance), createWriteStream(path, { flags: 'wx' }));
    written();
  }
  await fs.writeFile(join(folder, 'DICOMDIR'), buildDicomdir(fileSet), { flag: 'wx' });
  return fileSet.files.length;
}
