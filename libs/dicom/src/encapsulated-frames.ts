import { DicomParseError } from './dicom-parse-error';

/** One fragment item of encapsulated Pixel Data: where its value is in the file. */
export interface Fragment {
  /** Offset of the fragment's value (after its 8-byte item header). */
  offset: number;
  length: number;
  /** Offset of the item header from the start of the Basic Offset Table item. */
  itemOffset: number;
}

/**
 * Groups fragments into frames (PS3.5 A.4): one frame takes every fragment; otherwise the
 * Basic Offset Table gives each frame's first fragment (offsets counted from the first
 * fragment's item tag); without it, one fragment per frame when the counts agree, else the
 * fragments that start a codestream (`starts`, from the caller's look at their first bytes).
 */
export function framesFromFragments(fragments: Fragment[], offsetTable: number[], numberOfFrames: number, starts?: boolean[]): Fragment[][] {
  if (fragments.length === 0) throw new DicomParseError('encapsulated Pixel Data has no fragments');
  if (numberOfFrames <= 1) return [fragments];
  if (offsetTable.length > 0) return byOffsetTable(fragments, offsetTable, numberOfFrames);
  if (fragments.length === numberOfFrames) return fragments.map((f) => [f]);
  if (starts) {
    const frames: Fragment[][] = [];
    fragments.forEach((f, i) => {
      if (starts[i] || frames.length === 0) frames.push([f]);
      else frames[frames.length - 1].push(f);
    });
    if (frames.length === numberOfFrames) return frames;
  }
  throw new DicomParseError(`cannot tell the ${numberOfFrames} frames apart in ${fragments.length} fragments without a Basic Offset Table`);
}

function byOffsetTable(fragments: Fragment[], offsetTable: number[], numberOfFrames: number): Fragment[][] {
  if (offsetTable.length !== numberOfFrames) {
    throw new DicomParseError(`Basic Offset Table has ${offsetTable.length} entries for ${numberOfFrames} frames`);
  }
  const first = fragments[0].itemOffset;
  const itemStarts = new Set(fragments.map((f) => f.itemOffset - first));
  if (offsetTable.some((o) => !itemStarts.has(o))) throw new DicomParseError('Basic Offset Table points between fragments');
  const frames: Fragment[][] = offsetTable.map(() => []);
  let frame = -1;
  for (const f of fragments) {
    while (frame + 1 < offsetTable.length && f.itemOffset - first >= offsetTable[frame + 1]) frame++;
    if (frame < 0) throw new DicomParseError('Basic Offset Table does not start at the first fragment');
    frames[frame].push(f);
  }
  if (frames.some((f) => f.length === 0)) throw new DicomParseError('Basic Offset Table is not in ascending order');
  return frames;
}
