import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { MediaInstance } from '@pacs/index';
import { buildDicomdir } from './dicomdir';
import { layOutFileSet } from './file-set';

export interface MediaZip {
  /** The ZIP's bytes, produced as they are read: one instance's blob open at a time. */
  stream: Readable;
  /** Its exact length, known before the first byte (every entry's size is); undefined when the files are made as they are read. */
  size?: number;
  files: number;
}

export interface MediaZipOptions {
  mtime?: Date;
  /**
   * Whether `open` gives exactly `sizeBytes` bytes (the stored blob). False for files made on
   * the way (de-identified copies): the ZIP's length is then known only at its end.
   */
  storedBytes?: boolean;
}

/**
 * A file-set (PS3.10 8) as a ZIP (PS3.18 8.7.3.5, application/zip): `DICOMDIR` at the root and
 * each instance's stored Part 10 file, unaltered, under its File ID. Entries are stored, not
 * deflated (pixel data hardly shrinks and a viewer's download should not wait for a compressor),
 * so the whole length is known from the index; ZIP64 is used once the archive passes 4 GiB.
 */
export async function mediaZip(instances: readonly MediaInstance[], open: (instance: MediaInstance) => Readable, options: MediaZipOptions = {}): Promise<MediaZip> {
  const { mtime = new Date(), storedBytes = true } = options;
  const fileSet = layOutFileSet(instances);
  const zip = new ZipFile();
  zip.addBuffer(buildDicomdir(fileSet), 'DICOMDIR', { compress: false, mtime });
  for (const { fileId, instance } of fileSet.files) {
    zip.addReadStreamLazy(fileId.join('/'), { compress: false, mtime, ...(storedBytes ? { size: instance.sizeBytes } : {}) }, (done) => {
      try {
        done(null, open(instance));
      } catch (err) {
        done(err, undefined as unknown as Readable);
      }
    });
  }
  // yazl 3.3.1 predicts the ZIP64 end records once the central directory passes 64 KiB (~700
  // files) but writes them only past 4 GiB, so the length it gives would be 76 bytes too many and
  // the download would end short. Forced, they are always written and always counted; every
  // current unzip reads them.
  const size = await new Promise<number>((resolve) => zip.end({ forceZip64Format: true, comment: '' }, ((total: number) => resolve(total)) as () => void));
  if (storedBytes && size < 0) throw new Error('the ZIP length could not be worked out');
  const stream = zip.outputStream as Readable;
  // A blob that cannot be read ends the download: the client sees a cut ZIP, never a wrong one.
  zip.on('error', (err: Error) => stream.destroy(err));
  return { stream, size: size < 0 ? undefined : size, files: fileSet.files.length };
}
