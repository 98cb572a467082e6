/**
 * Dummy values for action D (PS3.15 E.3.1: "a non-zero length value that may be a dummy value
 * and consistent with the VR"), in dcmjs's dataset form. A VR without one here gets a
 * zero-length value instead, which is what Z allows.
 */
const TEXT = 'ANONYMIZED';

const DUMMY: Record<string, unknown[]> = {
  PN: [{ Alphabetic: TEXT }],
  AE: [TEXT],
  CS: [TEXT],
  LO: [TEXT],
  LT: [TEXT],
  SH: [TEXT],
  ST: [TEXT],
  UC: [TEXT],
  UT: [TEXT],
  DA: ['19000101'],
  DT: ['19000101000000'],
  TM: ['000000'],
  AS: ['000Y'],
  DS: [0],
  IS: [0],
  US: [0],
  SS: [0],
  UL: [0],
  SL: [0],
  FL: [0],
  FD: [0],
};

/** The dummy value of a VR, or an empty value list. */
export function dummyValue(vr: string): unknown[] {
  return [...(DUMMY[vr] ?? [])];
}

/** VRs of free text: inside a sequence the profile dummies (D), their values are dummied too. */
export const FREE_TEXT_VRS: ReadonlySet<string> = new Set(['LT', 'ST', 'UT', 'UC', 'PN']);
