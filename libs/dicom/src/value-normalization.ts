import type { DicomJson, DicomJsonElement } from './dicom-json';

/*
 * What the archive accepts and what it answers with: the one place where a received text value
 * becomes the value the index holds and every response returns. Values are read leniently
 * (PS3.5 6.2), kept as received on disk, and normalized here only where the standard gives a
 * current form; anything else (an over-long LO, a PN with too many components) stays as it came.
 */

/** yyyy.mm.dd: the pre-3.0 DA form readers should still accept (PS3.5 6.2, DA note). */
const LEGACY_DATE = /^(\d{4})\.(\d{2})\.(\d{2})$/;
/** hh:mm[:ss[.f]]: the pre-3.0 TM form readers should still accept (PS3.5 6.2, TM note). */
const LEGACY_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?$/;
/** A DT written with those legacy parts: yyyy.mm.dd, then optionally [space]hh:mm[:ss[.f]] and &ZZXX. */
const LEGACY_DATE_TIME = /^(\d{4})\.(\d{2})\.(\d{2})(?: ?(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?([+-]\d{4})?$/;
const NUL = /\0/g;

/**
 * One text value as the archive keeps and returns it (its padding already removed):
 * - a NUL inside the value becomes a space: text values allow no NUL (PS3.5 6.1.3 lists the
 *   control characters they may hold; only UI values are NUL-padded, PS3.5 6.2), PostgreSQL
 *   text and jsonb cannot hold it (GOTCHAS), and a space stays within the default repertoire
 *   that most VRs are limited to;
 * - a DA, TM or DT in its pre-3.0 form gets its current form (PS3.5 6.2): 1997.04.24 → 19970424,
 *   10:20:30.5 → 102030.5.
 * Anything else is returned unchanged.
 */
export function normalizeValue(vr: string, value: string): string {
  const text = value.includes('\0') ? value.replace(NUL, ' ') : value;
  switch (vr) {
    case 'DA':
      return text.replace(LEGACY_DATE, '$1$2$3');
    case 'TM':
      return text.replace(LEGACY_TIME, (_, h, m, s = '', f = '') => `${h}${m}${s}${f}`);
    case 'DT':
      return text.replace(LEGACY_DATE_TIME, (_, y, mo, d, h = '', mi = '', s = '', f = '', zone = '') => `${y}${mo}${d}${h}${mi}${s}${f}${zone}`);
    default:
      return text;
  }
}

/**
 * A DICOM JSON data set with every text value normalized (normalizeValue), sequences included.
 * For headers indexed before normalization existed; elements that need no change are shared,
 * not copied.
 */
export function normalizeDicomJson(ds: DicomJson): DicomJson {
  let out: DicomJson | undefined;
  for (const [tag, element] of Object.entries(ds)) {
    const normalized = normalizeElement(element);
    if (normalized === element) continue;
    out ??= { ...ds };
    out[tag] = normalized;
  }
  return out ?? ds;
}

// Copies only what changes: QIDO-RS and C-FIND pass every result through here.
function normalizeElement(element: DicomJsonElement): DicomJsonElement {
  const values = element.Value;
  if (!values) return element;
  let next: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const normalized = normalizeJsonValue(element.vr, values[i]);
    if (normalized === values[i]) continue;
    next ??= [...values];
    next[i] = normalized;
  }
  return next ? { ...element, Value: next } : element;
}

function normalizeJsonValue(vr: string, value: unknown): unknown {
  if (typeof value === 'string') return normalizeValue(vr, value);
  if (value === null || typeof value !== 'object') return value;
  if (vr === 'SQ') return normalizeDicomJson(value as DicomJson);
  if (vr !== 'PN') return value;
  // PN component groups (PS3.18 F.2.2): Alphabetic, Ideographic, Phonetic.
  const groups = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const [group, text] of Object.entries(groups)) {
    if (typeof text !== 'string' || !text.includes('\0')) continue;
    out ??= { ...groups };
    out[group] = normalizeValue(vr, text);
  }
  return out ?? value;
}
