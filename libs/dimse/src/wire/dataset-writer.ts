import { data } from 'dcmjs';
import { Dataset } from 'dcmjs-dimse';
import type { DicomJson } from '@pacs/dicom';
import { writeDicomJson } from './dicom-json-writer';

type Natural = Record<string, unknown>;
type Element = { vr: string; Value: unknown[] };
type Dictionary = Record<string, { tag: string; vr: string } | undefined>;
interface WriteStream {
  getBuffer(): ArrayBuffer;
}
const dcmjs = data as unknown as {
  DicomMetaDictionary: { nameMap: Dictionary; unpunctuateTag(tag: string): string };
  DicomMessage: { write(dict: Record<string, Element>, stream: WriteStream, transferSyntaxUid: string, options: object): number };
  WriteBufferStream: new () => WriteStream;
};

/** VRs whose values are binary numbers: kept as numbers in DICOM JSON. */
const BINARY_NUMBERS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD']);

/**
 * dcmjs checks each value against its VR's maximum length when it writes and throws ("Value
 * exceeds max length"), which dcmjs-dimse turns into a dropped association. What the archive
 * accepted it must be able to answer with (PS3.5 6.2: readers accept the longer pre-3.0 forms;
 * an over-long LO or a PN with long components from an old modality is sent as stored).
 */
const WRITE_OPTIONS = Object.freeze({ allowInvalidVRLength: true });

/**
 * A data set whose encoding is known before it is handed to dcmjs-dimse: the library sends these
 * bytes as they are. `elements` are what the library reads of it (the SOP Class and Instance UIDs
 * of a C-STORE request).
 */
export class EncodedDataset extends Dataset {
  constructor(
    readonly bytes: Buffer,
    transferSyntaxUid: string,
    elements: Natural = {},
  ) {
    super(elements, transferSyntaxUid);
  }

  override getDenaturalizedDataset(): Buffer {
    return this.bytes;
  }
}

/**
 * Encodes a data set in its transfer syntax with every value as it is: not cut, not refused for
 * its length. Throws what dcmjs cannot write at all, so a caller that encodes before handing the
 * data set to dcmjs-dimse turns that into a status instead of a dropped association.
 */
export function encodeDataset(dataset: Dataset): EncodedDataset {
  if (dataset instanceof EncodedDataset) return dataset;
  const elements = dataset.getElements();
  return new EncodedDataset(writeDataset(toDicomJson(elements), dataset.getTransferSyntaxUid()), dataset.getTransferSyntaxUid(), elements);
}

/** encodeDataset for a data set held as DICOM JSON (a C-FIND match): no naturalized form in between. */
export function encodeDicomJson(json: DicomJson, transferSyntaxUid: string): EncodedDataset {
  return new EncodedDataset(writeDataset(json as Record<string, Element>, transferSyntaxUid), transferSyntaxUid);
}

/** writeDicomJson, or dcmjs for what it leaves (binary data, AT, UN, values it does not take). */
function writeDataset(json: Record<string, Element>, transferSyntaxUid: string): Buffer {
  const direct = writeDicomJson(json, transferSyntaxUid);
  if (direct) return direct;
  const stream = new dcmjs.WriteBufferStream();
  dcmjs.DicomMessage.write(json, stream, transferSyntaxUid, WRITE_OPTIONS);
  return Buffer.from(stream.getBuffer());
}

/**
 * A naturalized data set (dcmjs) as DICOM JSON: dcmjs's denaturalizeDataset without what it does
 * to a value longer than its VR allows: it cuts it (AE, AS, CS, DA, DS, DT, IS, TM, UI) and logs
 * the value. Keyword → tag by the dictionary, VR from the dictionary or `_vrMap` (ambiguous VRs,
 * PS3.6), numbers of text VRs as strings (dcmjs would round a long DS), sequences item by item;
 * names that are no keyword are left out, as dcmjs does.
 */
export function toDicomJson(natural: Natural): Record<string, Element> {
  const vrMap = (natural._vrMap ?? {}) as Record<string, string>;
  const out: Record<string, Element> = {};
  for (const [name, value] of Object.entries(natural)) {
    const entry = dcmjs.DicomMetaDictionary.nameMap[name];
    if (!entry || value === undefined) continue;
    const vr = vrMap[name] ?? entry.vr;
    const values = value === null ? [] : Array.isArray(value) ? value : [value];
    out[dcmjs.DicomMetaDictionary.unpunctuateTag(entry.tag)] = {
      vr,
      Value: vr === 'SQ' ? values.map((item) => toDicomJson(item as Natural)) : values.map((v) => (typeof v === 'number' && !BINARY_NUMBERS.has(vr) ? String(v) : v)),
    };
  }
  return out;
}
