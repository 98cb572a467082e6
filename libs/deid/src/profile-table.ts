import { DEID_OPTIONS } from '@pacs/config';
import { PROFILE_RANGES, PROFILE_ROWS } from './profile-table.generated';

/** Actions of PS3.15 E.3.1 as Table E.1-1 writes them (U* only inside X/Z/U*). */
export type ProfileAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U' | 'Z/D' | 'X/Z' | 'X/D' | 'X/Z/D' | 'X/Z/U*';

/** One row of Table E.1-1: the Basic Profile action and those of the two options offered. */
export interface ProfileEntry {
  name: string;
  basic: ProfileAction;
  /** Retain Longitudinal Temporal Information with Modified Dates Option (E.3.6). */
  modifiedDates?: ProfileAction;
  /** Clean Descriptors Option (E.3.5). */
  cleanDescriptors?: ProfileAction;
}

/** The profile options offered (PS3.15 E.3), and one of ours for burned-in annotation (listed in @pacs/config, which peers need). */
export { DEID_OPTIONS };
export type DeidOption = (typeof DEID_OPTIONS)[number];

/**
 * What is done to one attribute, after the compound actions are resolved. Without the IOD's
 * module tables at hand the choice is one that conforms whatever the attribute's type is
 * (PS3.15 E.3.1): X/Z becomes Z (a zero-length Type 2 or 3 attribute is valid), X/D, Z/D and
 * X/Z/D become D (a dummy is valid even for Type 1), X/Z/U* keeps the sequence with its UIDs
 * replaced (U*), so that references inside the de-identified study still resolve.
 */
export type Treatment = 'dummy' | 'zero' | 'remove' | 'keep' | 'clean' | 'uid' | 'uids-within';

const TREATMENT: Record<ProfileAction, Treatment> = {
  D: 'dummy',
  Z: 'zero',
  X: 'remove',
  K: 'keep',
  C: 'clean',
  U: 'uid',
  'Z/D': 'dummy',
  'X/Z': 'zero',
  'X/D': 'dummy',
  'X/Z/D': 'dummy',
  'X/Z/U*': 'uids-within',
};

const BY_TAG = new Map<string, ProfileEntry>(PROFILE_ROWS);
const RANGES = PROFILE_RANGES.map(([mask, entry]) => ({ pattern: new RegExp(`^${mask.replace(/X/g, '[0-9A-F]')}$`), entry }));

/** The Table E.1-1 row of a tag (8 hex digits), repeating groups included; undefined if not listed. */
export function profileEntry(tag: string): ProfileEntry | undefined {
  const upper = tag.toUpperCase();
  return BY_TAG.get(upper) ?? RANGES.find((range) => range.pattern.test(upper))?.entry;
}

/** The action an option's column gives for a row, else the Basic Profile's (PS3.15 E.3: an option overrides). */
export function actionOf(entry: ProfileEntry, options: ReadonlySet<DeidOption>): ProfileAction {
  if (options.has('modified-dates') && entry.modifiedDates) return entry.modifiedDates;
  if (options.has('clean-descriptors') && entry.cleanDescriptors) return entry.cleanDescriptors;
  return entry.basic;
}

/** The treatment of a tag under the options; undefined for an attribute the table does not list (kept). */
export function treatmentOf(tag: string, options: ReadonlySet<DeidOption>): Treatment | undefined {
  if (isPrivateTag(tag)) return 'remove'; // PS3.15 E.3.10 (Retain Safe Private) is not offered
  const entry = profileEntry(tag);
  return entry && TREATMENT[actionOf(entry, options)];
}

/** Private attributes have an odd group number (PS3.5 7.8). */
export function isPrivateTag(tag: string): boolean {
  return parseInt(tag.slice(0, 4), 16) % 2 === 1;
}
