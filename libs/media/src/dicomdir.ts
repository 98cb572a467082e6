import { randomUUID } from 'node:crypto';
import { buildPart10Header, isStorageSopClass } from '@pacs/dicom';
import type { MediaInstance } from '@pacs/index';
import { FileSet, MediaFile } from './file-set';

/** Media Storage Directory Storage (PS3.4 Annex I): the SOP class of a DICOMDIR. */
export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
/** Where the two offsets of a record item sit, from the item's first byte (see recordItem). */
const NEXT_AT = 16;
const LOWER_AT = 38;
/** (0004,1130) + (0004,1200) + (0004,1202) + (0004,1212) + the sequence header, before the first record. */
const DATASET_HEAD = 8 + 12 + 12 + 10 + 12;

type Element = [group: number, element: number, vr: string, value: Buffer];

function encode([group, element, vr, value]: Element): Buffer {
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

const ul = (n: number) => Buffer.from(Uint32Array.of(n).buffer);
const us = (n: number) => Buffer.from(Uint16Array.of(n).buffer);

/** A text value padded to even length: UIDs with NUL, the rest with a space (PS3.5 6.2). */
function text(value: string | null | undefined, vr: string, utf8: boolean): Buffer {
  const bytes = Buffer.from(value ?? '', utf8 ? 'utf8' : 'latin1');
  return bytes.length % 2 ? Buffer.concat([bytes, Buffer.from([vr === 'UI' ? 0 : 0x20])]) : bytes;
}

/**
 * The record type of an instance (PS3.3 F.5): an image for the image storage classes, and the
 * types of the common non-image classes; their further keys are not recorded.
 */
function recordType(sopClassUid: string): string {
  if (sopClassUid === '1.2.840.10008.5.1.4.1.1.88.59') return 'KEY OBJECT DOC';
  if (sopClassUid.startsWith('1.2.840.10008.5.1.4.1.1.88.')) return 'SR DOCUMENT';
  if (sopClassUid.startsWith('1.2.840.10008.5.1.4.1.1.11.')) return 'PRESENTATION';
  if (sopClassUid.startsWith('1.2.840.10008.5.1.4.1.1.104.')) return 'ENCAP DOC';
  if (sopClassUid.startsWith('1.2.840.10008.5.1.4.1.1.9.')) return 'WAVEFORM';
  if (sopClassUid === '1.2.840.10008.5.1.4.1.1.481.2') return 'RT DOSE';
  if (sopClassUid === '1.2.840.10008.5.1.4.1.1.481.3') return 'RT STRUCTURE SET';
  if (sopClassUid === '1.2.840.10008.5.1.4.1.1.481.5') return 'RT PLAN';
  return isStorageSopClass(sopClassUid) ? 'IMAGE' : 'PRIVATE';
}

interface DirectoryRecord {
  type: string;
  keys: Element[];
  next?: DirectoryRecord;
  lower?: DirectoryRecord;
  offset?: number;
}

/** Keys of each record type (PS3.3 F.5.1–F.5.3 and F.5.18): type 1 and 2 keys the index holds. */
function patientKeys(i: MediaInstance, utf8: boolean): Element[] {
  return [
    [0x0010, 0x0010, 'PN', text(i.patient.name, 'PN', utf8)],
    [0x0010, 0x0020, 'LO', text(i.patient.id, 'LO', utf8)],
  ];
}

function studyKeys(i: MediaInstance, utf8: boolean): Element[] {
  return [
    [0x0008, 0x0020, 'DA', text(i.study.date, 'DA', false)],
    [0x0008, 0x0030, 'TM', text(i.study.time, 'TM', false)],
    [0x0008, 0x0050, 'SH', text(i.study.accessionNumber, 'SH', utf8)],
    [0x0008, 0x1030, 'LO', text(i.study.description, 'LO', utf8)],
    [0x0020, 0x000d, 'UI', text(i.studyUid, 'UI', false)],
    [0x0020, 0x0010, 'SH', text(i.study.studyId, 'SH', utf8)],
  ];
}

function seriesKeys(i: MediaInstance): Element[] {
  return [
    [0x0008, 0x0060, 'CS', text(i.series.modality, 'CS', false)],
    [0x0020, 0x000e, 'UI', text(i.seriesUid, 'UI', false)],
    [0x0020, 0x0011, 'IS', text(i.series.number?.toString(), 'IS', false)],
  ];
}

function fileKeys({ fileId, instance: i }: MediaFile, type: string): Element[] {
  // A private SOP class gets a PRIVATE record, whose type its Private Record UID names (F.5.20).
  const privateRecord: Element[] = type === 'PRIVATE' ? [[0x0004, 0x1432, 'UI', text(i.sopClassUid, 'UI', false)]] : [];
  return [
    ...privateRecord,
    [0x0004, 0x1500, 'CS', text(fileId.join('\\'), 'CS', false)],
    [0x0004, 0x1510, 'UI', text(i.sopClassUid, 'UI', false)],
    [0x0004, 0x1511, 'UI', text(i.sopInstanceUid, 'UI', false)],
    [0x0004, 0x1512, 'UI', text(i.transferSyntaxUid, 'UI', false)],
    [0x0020, 0x0013, 'IS', text(i.instanceNumber?.toString(), 'IS', false)],
  ];
}

/** Links records of one level as siblings (Offset of the Next Directory Record) and returns them. */
function chain(records: DirectoryRecord[]): DirectoryRecord[] {
  records.forEach((r, k) => (r.next = records[k + 1]));
  return records;
}

/** The records in the order they are written: each one followed by the records below it. */
function records(fileSet: FileSet, utf8: boolean): { root: DirectoryRecord[]; all: DirectoryRecord[] } {
  const all: DirectoryRecord[] = [];
  const add = (type: string, keys: Element[], below: () => DirectoryRecord[]): DirectoryRecord => {
    const record: DirectoryRecord = { type, keys };
    all.push(record);
    record.lower = chain(below())[0];
    return record;
  };
  const fileRecord = (file: MediaFile) => {
    const type = recordType(file.instance.sopClassUid);
    return add(type, fileKeys(file, type), () => []);
  };
  const root = chain(
    fileSet.patients.map((p) =>
      add('PATIENT', patientKeys(p.instance, utf8), () =>
        p.studies.map((st) =>
          add('STUDY', studyKeys(st.instance, utf8), () =>
            st.series.map((se) => add('SERIES', seriesKeys(se.instance), () => se.files.map((f) => fileRecord(f)))),
          ),
        ),
      ),
    ),
  );
  return { root, all };
}

/** One record as a defined-length item; its two offsets are patched in once every record is placed. */
function recordItem(record: DirectoryRecord, utf8: boolean): Buffer {
  // Only patient and study records hold text; each that does names its character set (F.5).
  const hasText = record.type === 'PATIENT' || record.type === 'STUDY';
  const charset: Element[] = utf8 && hasText ? [[0x0008, 0x0005, 'CS', text('ISO_IR 192', 'CS', false)]] : [];
  const [refs, rest] = [record.keys.filter(([g]) => g === 0x0004), record.keys.filter(([g]) => g !== 0x0004)];
  const body = Buffer.concat(
    [
      [0x0004, 0x1400, 'UL', ul(0)],
      [0x0004, 0x1410, 'US', us(0xffff)],
      [0x0004, 0x1420, 'UL', ul(0)],
      [0x0004, 0x1430, 'CS', text(record.type, 'CS', false)],
      ...refs,
      ...charset,
      ...rest,
    ].map((e) => encode(e as Element)),
  );
  const head = Buffer.alloc(8);
  head.writeUInt16LE(0xfffe, 0);
  head.writeUInt16LE(0xe000, 2);
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

/**
 * The DICOMDIR of a file-set (PS3.10 8.5, Basic Directory IOD PS3.3 F.3): patient, study, series
 * and one record per file, explicit VR little endian, each record's offsets counted from the
 * file's first byte. Text is ISO_IR 192 (UTF-8) when any value needs more than ASCII.
 */
export function buildDicomdir(fileSet: FileSet, fileSetUid = `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`)}`): Buffer {
  const utf8 = fileSet.files.some(({ instance: i }) => /[^\x20-\x7e]/.test(`${i.patient.name ?? ''}${i.study.description ?? ''}${i.study.accessionNumber ?? ''}${i.study.studyId ?? ''}`));
  const meta = buildPart10Header({ sopClassUid: MEDIA_STORAGE_DIRECTORY, sopInstanceUid: fileSetUid, transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN });
  const { root, all } = records(fileSet, utf8);
  const items = all.map((r) => recordItem(r, utf8));
  let offset = meta.length + DATASET_HEAD;
  all.forEach((r, k) => {
    r.offset = offset;
    offset += items[k].length;
  });
  all.forEach((r, k) => {
    items[k].writeUInt32LE(r.next?.offset ?? 0, NEXT_AT);
    items[k].writeUInt32LE(r.lower?.offset ?? 0, LOWER_AT);
  });
  const sequence = Buffer.concat(items);
  const head = Buffer.concat(
    [
      [0x0004, 0x1130, 'CS', Buffer.alloc(0)],
      [0x0004, 0x1200, 'UL', ul(root[0]?.offset ?? 0)],
      [0x0004, 0x1202, 'UL', ul(root.at(-1)?.offset ?? 0)],
      [0x0004, 0x1212, 'US', us(0)],
      [0x0004, 0x1220, 'SQ', Buffer.alloc(0)],
    ].map((e) => encode(e as Element)),
  );
  head.writeUInt32LE(sequence.length, head.length - 4);
  return Buffer.concat([meta, head, sequence]);
}
