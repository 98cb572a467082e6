import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { data } from 'dcmjs';
import type { DicomJson } from '@pacs/dicom';
import { writeDicomJson } from './dicom-json-writer';

const SYNTAXES = { implicit: '1.2.840.10008.1.2', explicit: '1.2.840.10008.1.2.1', bigEndian: '1.2.840.10008.1.2.2' };

interface WriteStream {
  getBuffer(): ArrayBuffer;
}
const dcmjs = data as unknown as {
  DicomMessage: { write(json: object, stream: WriteStream, syntax: string, options: object): number };
  WriteBufferStream: new () => WriteStream;
};

/** What dcmjs 0.51 writes for the same DICOM JSON: the encoding the SCUs have been reading. */
function dcmjsBytes(json: DicomJson, syntax: string): Buffer {
  const stream = new dcmjs.WriteBufferStream();
  dcmjs.DicomMessage.write(structuredClone(json), stream, syntax, { allowInvalidVRLength: true });
  return Buffer.from(stream.getBuffer());
}

/** Data sets as C-FIND, worklist and MPPS answers hold them. */
const CASES: Record<string, DicomJson> = {
  'a study match in UTF-8 with several values and numbers': {
    '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
    '00080020': { vr: 'DA', Value: ['20240115'] },
    '00080050': { vr: 'SH', Value: ['ACC-1'] },
    '00080052': { vr: 'CS', Value: ['STUDY'] },
    '00080061': { vr: 'CS', Value: ['CT', 'MR'] },
    '00081030': { vr: 'LO', Value: ['Brust Übersicht'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'MÜLLER^JÜRGEN', Ideographic: 'ミュラー' }] },
    '00100020': { vr: 'LO', Value: ['PID-1'] },
    '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.1'] },
    '00201206': { vr: 'IS', Value: [2] },
    '00201208': { vr: 'IS', Value: [100] },
  },
  'empty and absent values': {
    '00080018': { vr: 'UI', Value: ['1.2.3'] },
    '00080020': { vr: 'DA' },
    '00080050': { vr: 'SH', Value: [] },
    '00081030': { vr: 'LO', Value: [''] },
    '00100010': { vr: 'PN' },
  },
  'sequences: two items, none, absent': {
    '00081032': { vr: 'SQ', Value: [{ '00080100': { vr: 'SH', Value: ['PC-77'] }, '00080104': { vr: 'LO', Value: ['Procedure'] } }, { '00080100': { vr: 'SH', Value: ['X'] } }] },
    '00081110': { vr: 'SQ', Value: [] },
    '00081111': { vr: 'SQ' },
    '00400275': { vr: 'SQ', Value: [{ '00400009': { vr: 'SH', Value: ['SPS1'] }, '00400100': { vr: 'SQ', Value: [{ '00400001': { vr: 'AE', Value: ['CT1'] } }] } }] },
  },
  'binary and text numbers': {
    '00181310': { vr: 'US', Value: [0, 256, 256, 0] },
    '00181050': { vr: 'DS', Value: ['1.5'] },
    '00189306': { vr: 'FD', Value: [1.25] },
    '00200013': { vr: 'IS', Value: [7] },
    '00280010': { vr: 'US', Value: [512] },
    '00280030': { vr: 'DS', Value: [0.5, 0.25] },
    '00280106': { vr: 'SS', Value: [-3] },
    '00287FE0': { vr: 'UR', Value: ['http://example.org/x'] },
  },
  'person names with several values and groups': {
    '00081060': { vr: 'PN', Value: [{ Alphabetic: 'A^B' }, { Alphabetic: 'C^D', Phonetic: 'cd' }, 'E^F'] },
  },
  'values longer than their VR allows, as stored': {
    '00080020': { vr: 'DA', Value: ['1997.04.24'] },
    '00080080': { vr: 'LO', Value: ['I'.repeat(80)] },
    '00324000': { vr: 'LT', Value: ['line 1\r\nline 2'] },
  },
};

describe('writeDicomJson: the bytes dcmjs writes, without dcmjs', () => {
  for (const [name, json] of Object.entries(CASES)) {
    it(`writes ${name} as dcmjs does in each uncompressed syntax`, () => {
      for (const [syntaxName, syntax] of Object.entries(SYNTAXES)) {
        const bytes = writeDicomJson(json, syntax);
        assert.ok(bytes, `${syntaxName}: written`);
        assert.equal(bytes.toString('hex'), dcmjsBytes(json, syntax).toString('hex'), syntaxName);
      }
    });
  }

  it('leaves to dcmjs what it does not write itself', () => {
    const leftOver: DicomJson[] = [
      { '00082112': { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2'] } }] }, '00209165': { vr: 'AT', Value: ['00100020'] } },
      { '00420011': { vr: 'OB', InlineBinary: 'AAEC' } },
      { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A' }] }, '00091001': { vr: 'UN', Value: [] } },
      { '00080060': { vr: 'CS', Value: ['ÄB'] } },
      { '00280010': { vr: 'US', Value: ['512'] } },
      { '00280010': { vr: 'US', Value: [70000] } },
      { '00081030': { vr: 'LO', Value: [null] } },
      { '00324000': { vr: 'LO', Value: ['x'.repeat(0x10000)] } },
    ];
    for (const json of leftOver) assert.equal(writeDicomJson(json, SYNTAXES.explicit), undefined, JSON.stringify(json).slice(0, 80));
    assert.equal(writeDicomJson(CASES['empty and absent values'], '1.2.840.10008.1.2.4.50'), undefined, 'an encapsulated syntax');
  });
});
