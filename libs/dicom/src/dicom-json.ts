/** DICOM JSON model, PS3.18 F.2: keys are 8-digit uppercase hex tags. */
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type DicomJson = Record<string, DicomJsonElement>;

/** The first value as a trimmed string (a PN gives its Alphabetic group, a number its decimal form). */
export function getString(ds: DicomJson, tag: string): string | undefined {
  return valueToString(ds[tag]?.Value?.[0]);
}

/** Every non-empty value as a trimmed string. */
export function getStrings(ds: DicomJson, tag: string): string[] {
  return (ds[tag]?.Value ?? []).map(valueToString).filter((v): v is string => v !== undefined);
}

/** The first value as a number: numbers as they are, IS/DS strings parsed (PS3.18 F.2.3). */
export function getNumber(ds: DicomJson, tag: string): number | undefined {
  const value = ds[tag]?.Value?.[0];
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** The Alphabetic component group as a DICOM PN string, e.g. "DOE^JANE". */
export function getPersonName(ds: DicomJson, tag: string): string | undefined {
  return valueToString(ds[tag]?.Value?.[0]);
}

// PN values are objects with component groups (PS3.18 F.2.2); empty values are null.
function valueToString(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'object') {
    const alphabetic = (value as { Alphabetic?: unknown }).Alphabetic;
    return typeof alphabetic === 'string' && alphabetic.trim() !== '' ? alphabetic.trim() : undefined;
  }
  const s = String(value).trim();
  return s === '' ? undefined : s;
}
