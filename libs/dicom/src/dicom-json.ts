/** DICOM JSON model, PS3.18 F.2: keys are 8-digit uppercase hex tags. */
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type DicomJson = Record<string, DicomJsonElement>;

export function getString(ds: DicomJson, tag: string): string | undefined {
  throw new Error('not implemented');
}
export function getStrings(ds: DicomJson, tag: string): string[] {
  throw new Error('not implemented');
}
export function getNumber(ds: DicomJson, tag: string): number | undefined {
  throw new Error('not implemented');
}
/** The Alphabetic component group as a DICOM PN string, e.g. "DOE^JANE". */
export function getPersonName(ds: DicomJson, tag: string): string | undefined {
  throw new Error('not implemented');
}
