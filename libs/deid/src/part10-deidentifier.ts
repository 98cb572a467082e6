import { data } from 'dcmjs';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, TransferSyntax } from '@pacs/dicom';
import type { DeidDataset } from './dataset-deidentifier';
import { DeidProfile, deidentifyInstance } from './instance-deidentifier';
import { Pseudonyms } from './pseudonyms';

/** A de-identified Part 10 instance and the UIDs it now has. */
export interface DeidentifiedInstance {
  bytes: Buffer;
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
}

/**
 * De-identifies one Part 10 instance (read and written whole by dcmjs, one at a time) in its own
 * transfer syntax, but for Deflated Explicit VR Little Endian, which dcmjs cannot write: that
 * copy is Explicit VR Little Endian (the same data set, not deflated). Pixel data is copied as read. The File Meta Information is made anew (PS3.10
 * 7.1): the new SOP Instance UID, our implementation, no source AE title. Text is written as
 * UTF-8 with Specific Character Set ISO_IR 192 (dcmjs).
 */
export function deidentifyPart10(part10: Buffer, profile: DeidProfile, pseudonyms: Pseudonyms): DeidentifiedInstance {
  const file = data.DicomMessage.readFile(part10.buffer.slice(part10.byteOffset, part10.byteOffset + part10.length) as ArrayBuffer);
  const dataset = file.dict as unknown as DeidDataset;
  deidentifyInstance(dataset, profile, pseudonyms);
  const uid = (tag: string) => String(dataset[tag]?.Value?.[0] ?? '');
  const sopInstanceUid = uid('00080018');
  file.meta = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [uid('00080016')] },
    '00020003': { vr: 'UI', Value: [sopInstanceUid] },
    '00020010': { vr: 'UI', Value: [writableSyntax(String(file.meta['00020010']?.Value?.[0] ?? ''))] },
    '00020012': { vr: 'UI', Value: [IMPLEMENTATION_CLASS_UID] },
    '00020013': { vr: 'SH', Value: [IMPLEMENTATION_VERSION_NAME] },
  };
  // Values are written as they are: dcmjs would refuse one longer than its VR allows (as in WADO transcoding).
  const bytes = Buffer.from(file.write({ allowInvalidVRLength: true }));
  return { bytes, studyUid: uid('0020000D'), seriesUid: uid('0020000E'), sopInstanceUid };
}

/** The transfer syntax a de-identified copy of an instance stored in this one is written in. */
export function writableSyntax(transferSyntaxUid: string): string {
  return transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian ? TransferSyntax.ExplicitVRLittleEndian : transferSyntaxUid;
}
