import * as dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { dictionaryVr } from './dataset-to-json';
import { TransferSyntax } from './transfer-syntax';

/** Pixel Data (7FE0,0010) in dicom-parser's tag form. */
export const PIXEL_DATA = 'x7fe00010';

type DataSetConstructor = new (parser: unknown, bytes: Buffer, elements: Record<string, Element>) => DataSet;
// dicom-parser exports the DataSet class at run time, but its typings declare it as an interface only.
const DataSetClass = (dicomParser as unknown as { DataSet: DataSetConstructor }).DataSet;

/**
 * Parses the elements of `bytes` from `start`, stopping at top-level Pixel Data (its header is
 * read, its value is not). Values are not copied: elements hold offsets into `bytes`.
 */
export function parseElements(bytes: Buffer, start: number, transferSyntaxUid: string): DataSet {
  const bigEndian = transferSyntaxUid === TransferSyntax.ExplicitVRBigEndian;
  const parser = bigEndian ? dicomParser.bigEndianByteArrayParser : dicomParser.littleEndianByteArrayParser;
  const stream = new dicomParser.ByteStream(parser, bytes, start);
  const ds = new DataSetClass(parser, bytes, {});
  if (transferSyntaxUid === TransferSyntax.ImplicitVRLittleEndian) {
    // Implicit VR carries no VR: the dictionary tells sequences from other values (PS3.5 7.1.3).
    const vrCallback = (tag: string): string => dictionaryVr(tag) as string;
    dicomParser.parseDicomDataSetImplicit(ds, stream, bytes.length, { untilTag: PIXEL_DATA, vrCallback });
  } else {
    dicomParser.parseDicomDataSetExplicit(ds, stream, bytes.length, { untilTag: PIXEL_DATA });
  }
  return ds;
}

/** dicom-parser throws strings and `{ exception, dataSet }` objects as well as Errors. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e && 'exception' in e) return describeError((e as { exception: unknown }).exception);
  return String(e);
}
