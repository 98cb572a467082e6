import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { data } from 'dcmjs';
import { Dataset } from 'dcmjs-dimse';
import type { DicomJson } from '@pacs/dicom';
import { encodeDicomJson } from '../wire/dataset-writer';
import { toResponseIdentifier } from './qr-identifier';

const naturalize = (data as unknown as { DicomMetaDictionary: { naturalizeDataset(json: object): Record<string, unknown> } }).DicomMetaDictionary.naturalizeDataset;

/** Study matches as the query engine streams them for findscu's study keys. */
const MATCHES: DicomJson[] = [
  {
    '00080020': { vr: 'DA', Value: ['20240115'] },
    '00080050': { vr: 'SH', Value: ['ACC-A'] },
    '00081030': { vr: 'LO', Value: ['CT ABDOMEN'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JOHN' }] },
    '00100020': { vr: 'LO', Value: ['QR-1'] },
    '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.11'] },
  },
  {
    '00080020': { vr: 'DA', Value: ['20250301'] },
    '00080050': { vr: 'SH' },
    '00081030': { vr: 'LO' },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOEBLER^ANNA' }] },
    '00100020': { vr: 'LO', Value: ['QR-2'] },
    '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.12'] },
  },
  {
    '00080020': { vr: 'DA', Value: ['20230101'] },
    '00080050': { vr: 'SH', Value: ['ACC-C'] },
    '00080061': { vr: 'CS', Value: ['CT', 'SR'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOERR^JÜRGEN' }] },
    '00100020': { vr: 'LO', Value: ['QR-3'] },
    '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.13'] },
    '00201208': { vr: 'IS', Value: [4] },
  },
];

/**
 * How a response identifier was encoded before it was written from DICOM JSON: naturalized by
 * dcmjs (Query/Retrieve Level added, ISO_IR 192 for non-ASCII), empty values as '', and the data
 * set encoded as dcmjs-dimse encodes it.
 */
function encodedBefore(match: DicomJson, syntax: string): Buffer {
  const json: Record<string, unknown> = { ...structuredClone(match), '00080052': { vr: 'CS', Value: ['STUDY'] } };
  if (/[^\x00-\x7f]/.test(JSON.stringify(match))) json['00080005'] = { vr: 'CS', Value: ['ISO_IR 192'] };
  const natural = naturalize(json);
  for (const [key, value] of Object.entries(natural)) if (value === null || value === undefined) natural[key] = '';
  return new Dataset(natural, syntax).getDenaturalizedDataset();
}

describe('C-FIND response identifiers', () => {
  it('are byte for byte what the SCU received before, for each match of a study query', () => {
    for (const syntax of ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']) {
      for (const match of MATCHES) {
        const now = encodeDicomJson(toResponseIdentifier(match, 'study'), syntax).bytes;
        assert.equal(now.toString('hex'), encodedBefore(match, syntax).toString('hex'), `${match['00100020'].Value} in ${syntax}`);
      }
    }
  });

  it('say ISO_IR 192 only when a value needs it, and name the level', () => {
    const ascii = toResponseIdentifier({ ...MATCHES[0], '00080005': { vr: 'CS', Value: ['ISO_IR 100'] } }, 'series');
    assert.equal(ascii['00080005'], undefined);
    assert.deepEqual(ascii['00080052'], { vr: 'CS', Value: ['SERIES'] });
    assert.deepEqual(toResponseIdentifier(MATCHES[2], 'study')['00080005'], { vr: 'CS', Value: ['ISO_IR 192'] });
  });

  it('leave out a requested key the archive does not know', () => {
    const out = toResponseIdentifier({ ...MATCHES[0], '00091010': { vr: 'UN' } }, 'study');
    assert.equal(out['00091010'], undefined);
  });
});
