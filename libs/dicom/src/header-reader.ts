import { DicomJson } from './dicom-json';

export class DicomParseError extends Error {
  readonly code = 'dicom-unparsable';
}

export interface InstanceHeader {
  /** From the File Meta (0002,0010). */
  transferSyntaxUid: string;
  /** File Meta group as DICOM JSON. */
  meta: DicomJson;
  /** The dataset up to (not including) Pixel Data, bulk binary values left out, as DICOM JSON. */
  dataset: DicomJson;
}

/**
 * Reads the Part 10 header and the dataset up to Pixel Data from a file, without reading
 * the pixel data into memory. Throws DicomParseError when the file is not Part 10, cannot be
 * parsed, or is truncated (the declared Pixel Data length, or the encapsulated sequence
 * delimiter, does not fit the file size).
 */
export async function readInstanceHeader(path: string): Promise<InstanceHeader> {
  throw new Error('not implemented');
}
