import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from 'dcmjs-dimse';
import { EncodedDataset, encodeDataset } from './dataset-writer';

const EXPLICIT = '1.2.840.10008.1.2.1';
const IMPLICIT = '1.2.840.10008.1.2';

/** What an SCU reads back: dcmjs-dimse parses the bytes in their syntax. */
const readBack = (bytes: Buffer, syntax: string) => new Dataset(bytes, syntax).getElements();

describe('encodeDataset: every value written as it is', () => {
  it('writes the same bytes as dcmjs-dimse for values within their VR limits', () => {
    const elements = {
      SpecificCharacterSet: 'ISO_IR 192',
      QueryRetrieveLevel: 'STUDY',
      PatientName: [{ Alphabetic: 'MÜLLER^JÜRGEN' }],
      StudyDate: '20240115',
      NumberOfStudyRelatedInstances: 4,
      ModalitiesInStudy: ['CT', 'MR'],
      PixelSpacing: [0.5, 0.5],
      Rows: 512,
      ProcedureCodeSequence: [{ CodeValue: 'PC-77', CodingSchemeDesignator: 'L', CodeMeaning: 'Procedure' }],
      AccessionNumber: '',
    };
    for (const syntax of [EXPLICIT, IMPLICIT]) {
      const dataset = new Dataset(elements, syntax);
      assert.ok(encodeDataset(dataset).bytes.equals(dataset.getDenaturalizedDataset()), syntax);
    }
  });

  it('neither cuts nor refuses values longer than their VR allows (PS3.5 6.2: sent as received)', () => {
    const long = {
      StudyDate: '1997.04.24',
      StudyTime: '10:20:30.123456789',
      BodyPartExamined: 'ABDOMENPELVISCHEST',
      InstitutionName: 'I'.repeat(80),
      StationName: 'STATION-NAME-TOO-LONG-FOR-SH',
      ReferringPhysicianName: [{ Alphabetic: `${'F'.repeat(70)}^A^B^C^D^E` }],
      InstanceNumber: '0000000000001',
      RetrieveAETitle: 'AN-AE-TITLE-OF-20-CH',
    };
    for (const syntax of [EXPLICIT, IMPLICIT]) {
      const back = readBack(encodeDataset(new Dataset(long, syntax)).bytes, syntax);
      for (const [keyword, value] of Object.entries(long)) assert.deepEqual(back[keyword], keyword === 'InstanceNumber' ? 1 : value, `${keyword} in ${syntax}`);
    }
  });

  it('hands an already encoded data set on as it is', () => {
    const encoded = new EncodedDataset(Buffer.from([8, 0, 0x18, 0]), EXPLICIT, { SOPInstanceUID: '1.2.3' });
    assert.equal(encodeDataset(encoded), encoded);
    assert.ok(encoded.getDenaturalizedDataset().equals(Buffer.from([8, 0, 0x18, 0])));
    assert.equal(encoded.getElement('SOPInstanceUID'), '1.2.3');
  });

  it('throws for a value dcmjs cannot write at all, before anything is sent', () => {
    assert.throws(() => encodeDataset(new Dataset({ Rows: 'abc' }, EXPLICIT)), /Not a number/);
  });
});
