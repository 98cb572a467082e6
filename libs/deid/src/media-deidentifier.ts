import type { MediaInstance } from '@pacs/index';
import type { DeidDataset } from './dataset-deidentifier';
import { DeidProfile, deidentifyInstance } from './instance-deidentifier';
import { Pseudonyms } from './pseudonyms';

/**
 * The directory values of an instance as its de-identified copy will have them: the indexed
 * values go through the same profile and pseudonyms as the file itself, so a DICOMDIR (PS3.3
 * F.5) can be written before any file is de-identified, and agrees with them.
 */
export function deidentifyMediaInstance(instance: MediaInstance, profile: DeidProfile, pseudonyms: Pseudonyms): MediaInstance {
  const text = (vr: string, v: string | null) => ({ vr, Value: v === null ? [] : [v] });
  const dataset: DeidDataset = {
    '00080016': text('UI', instance.sopClassUid),
    '00080018': text('UI', instance.sopInstanceUid),
    '00080020': text('DA', instance.study.date),
    '00080030': text('TM', instance.study.time),
    '00080050': text('SH', instance.study.accessionNumber),
    '00080060': text('CS', instance.series.modality),
    '00081030': text('LO', instance.study.description),
    '00100010': { vr: 'PN', Value: instance.patient.name === null ? [] : [{ Alphabetic: instance.patient.name }] },
    '00100020': text('LO', instance.patient.id),
    '00100021': text('LO', instance.patient.issuer || null),
    '0020000D': text('UI', instance.studyUid),
    '0020000E': text('UI', instance.seriesUid),
    '00200010': text('SH', instance.study.studyId),
  };
  deidentifyInstance(dataset, { ...profile, options: [...profile.options, 'allow-burned-in-annotation'] }, pseudonyms);
  const get = (tag: string): string | null => {
    const value = dataset[tag]?.Value?.[0];
    if (value && typeof value === 'object') return String((value as { Alphabetic?: string }).Alphabetic ?? '');
    return value === undefined || value === null ? null : String(value);
  };
  return {
    ...instance,
    sopInstanceUid: get('00080018') ?? '',
    studyUid: get('0020000D') ?? '',
    seriesUid: get('0020000E') ?? '',
    patient: { id: get('00100020') ?? '', issuer: '', name: get('00100010') },
    study: {
      date: get('00080020'),
      time: get('00080030'),
      accessionNumber: get('00080050'),
      description: get('00081030'),
      studyId: get('00200010'),
    },
  };
}
