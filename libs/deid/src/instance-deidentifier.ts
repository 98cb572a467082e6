import type { DeidProfileSetting } from '@pacs/config';
import { DeidContext, DeidDataset, deidentifyDataset } from './dataset-deidentifier';
import { DeidError } from './deid.errors';
import { DeidOption } from './profile-table';
import { Pseudonyms } from './pseudonyms';

/** What to apply: the Basic Profile (PS3.15 E.1) and options among DEID_OPTIONS. */
export type DeidProfile = DeidProfileSetting;

/** CID 7050 De-identification Method codes (PS3.16) of the profile and of each option offered. */
const METHOD_CODES: Array<{ option?: DeidOption; value: string; meaning: string }> = [
  { value: '113100', meaning: 'Basic Application Confidentiality Profile' },
  { option: 'modified-dates', value: '113107', meaning: 'Retain Longitudinal Temporal Information Modified Dates Option' },
  { option: 'clean-descriptors', value: '113105', meaning: 'Clean Descriptors Option' },
];

const str = (dataset: DeidDataset, tag: string): string => {
  const value = dataset[tag]?.Value?.[0];
  if (typeof value === 'string') return value.trim();
  if (value && typeof value === 'object' && 'Alphabetic' in value) return String((value as { Alphabetic?: string }).Alphabetic ?? '').trim();
  return '';
};

/**
 * De-identifies one instance's dataset in place: Table E.1-1 under the options, the patient's
 * pseudonymous ID and name, and the attributes that say how it was done (PS3.3 C.12.1:
 * Patient Identity Removed, De-identification Method and its Code Sequence). Refuses an instance
 * flagged with burned-in annotation (0028,0301) unless the caller accepts it: the pixels are
 * never touched, so its text would stay readable.
 */
export function deidentifyInstance(dataset: DeidDataset, profile: DeidProfile, pseudonyms: Pseudonyms): void {
  const options = new Set(profile.options);
  if (str(dataset, '00280301').toUpperCase() === 'YES' && !options.has('allow-burned-in-annotation')) {
    throw new DeidError('deid-refused', 'the instance has Burned In Annotation (0028,0301) YES: its pixels may show identifying text');
  }
  const patient = pseudonyms.patient(str(dataset, '00100020'), str(dataset, '00100021'));
  const context: DeidContext = { pseudonyms, patient, options, identifiers: identifiersOf(dataset) };
  deidentifyDataset(dataset, context);
  dataset['00100010'] = { vr: 'PN', Value: [{ Alphabetic: patient.name }] };
  dataset['00100020'] = { vr: 'LO', Value: [patient.id] };
  const codes = METHOD_CODES.filter((code) => !code.option || options.has(code.option));
  dataset['00120062'] = { vr: 'CS', Value: ['YES'] };
  dataset['00120063'] = { vr: 'LO', Value: codes.map((code) => code.meaning.slice(0, 64)) };
  dataset['00120064'] = {
    vr: 'SQ',
    Value: codes.map((code) => ({
      '00080100': { vr: 'SH', Value: [code.value] },
      '00080102': { vr: 'SH', Value: ['DCM'] },
      '00080104': { vr: 'LO', Value: [code.meaning] },
    })),
  };
  // PS3.3 C.7.6.1.1.5: dates were shifted; without the option they are dummies or gone.
  if (options.has('modified-dates')) dataset['00280303'] = { vr: 'CS', Value: ['MODIFIED'] };
}

/** Words that identify the patient or the visit, for the Clean Descriptors Option. */
function identifiersOf(dataset: DeidDataset): string[] {
  const name = str(dataset, '00100010');
  const words = [
    ...name.split(/[\^=\s,]+/),
    str(dataset, '00100020'),
    str(dataset, '00100021'),
    str(dataset, '00080050'),
    ...(dataset['00101000']?.Value ?? []).map(String),
  ];
  return [...new Set(words.map((w) => w.trim()).filter((w) => w.length >= 2))].sort((a, b) => b.length - a.length);
}
