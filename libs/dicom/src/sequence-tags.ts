import { dictionaryVr } from './dataset-to-json';

/** What the data dictionary says of a tag read in implicit VR, where no VR is written (PS3.5 7.1.3). */
export type SequenceHint = 'sequence' | 'not-sequence' | 'unknown';

const known = new Map<number, SequenceHint>();
/** Tags of the dictionary fit; a flood of made-up tags must not grow the cache without end. */
const MAX_CACHED = 16384;

/** Whether the PS3.6 dictionary lists a tag as SQ; 'unknown' for private and unlisted tags (or UN). */
export function sequenceHint(tag: number): SequenceHint {
  const cached = known.get(tag);
  if (cached) return cached;
  const vr = dictionaryVr(`x${tag.toString(16).padStart(8, '0')}`);
  const hint: SequenceHint = vr === undefined || vr === 'UN' ? 'unknown' : vr === 'SQ' ? 'sequence' : 'not-sequence';
  if (known.size < MAX_CACHED) known.set(tag, hint);
  return hint;
}
