// The file-set layout and the DICOMDIR's record chain, read back by offsets as a media reader
// walks it (PS3.10 8.5): root patients linked by "next", each record's "lower" its first child.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MediaInstance } from '@pacs/index';
import { buildDicomdir } from './dicomdir';
import { layOutFileSet } from './file-set';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const KOS = '1.2.840.10008.5.1.4.1.1.88.59';

function instance(patient: string, study: number, series: number, n: number, opts: { name?: string; sopClassUid?: string } = {}): MediaInstance {
  return {
    studyUid: `1.2.3.${study}`,
    seriesUid: `1.2.3.${study}.${series}`,
    sopInstanceUid: `1.2.3.${study}.${series}.${n}`,
    sopClassUid: opts.sopClassUid ?? CT,
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    blobKey: 'k',
    sizeBytes: 1,
    patient: { id: patient, issuer: '', name: opts.name ?? `${patient}^TEST` },
    study: { date: '20260101', time: '1015', accessionNumber: `A${study}`, description: 'HEAD', studyId: String(study) },
    series: { modality: 'CT', number: series },
    instanceNumber: n,
  };
}

/** The record at `offset`: its type and its next and lower offsets (the layout recordItem writes). */
function recordAt(file: Buffer, offset: number): { type: string; next: number; lower: number } {
  assert.equal(file.readUInt32LE(offset), 0xe000fffe, `an item starts at ${offset}`);
  const typeLength = file.readUInt16LE(offset + 48);
  return { type: file.toString('latin1', offset + 50, offset + 50 + typeLength).trim(), next: file.readUInt32LE(offset + 16), lower: file.readUInt32LE(offset + 38) };
}

/** Walks the tree from the root as a reader does: "TYPE" per record, children indented. */
function walk(file: Buffer, offset: number, depth = 0): string[] {
  const lines: string[] = [];
  for (let at = offset; at !== 0; ) {
    const r = recordAt(file, at);
    lines.push(`${'  '.repeat(depth)}${r.type}`, ...(r.lower ? walk(file, r.lower, depth + 1) : []));
    at = r.next;
  }
  return lines;
}

describe('DICOM media file-set', () => {
  const instances = [instance('P1', 1, 1, 1), instance('P1', 1, 1, 2), instance('P1', 1, 2, 1), instance('P1', 2, 1, 1), instance('P2', 3, 1, 1, { sopClassUid: KOS })];

  it('numbers files by patient, study, series and instance in 8-character components', () => {
    const ids = layOutFileSet(instances).files.map((f) => f.fileId.join('/'));
    assert.deepEqual(ids, [
      'DICOM/PAT00001/STU00001/SER00001/IMG00001',
      'DICOM/PAT00001/STU00001/SER00001/IMG00002',
      'DICOM/PAT00001/STU00001/SER00002/IMG00001',
      'DICOM/PAT00001/STU00002/SER00001/IMG00001',
      'DICOM/PAT00002/STU00001/SER00001/IMG00001',
    ]);
  });

  it('links every record so that a reader walking the offsets finds the whole tree', () => {
    const file = buildDicomdir(layOutFileSet(instances));
    const dataset = 132 + 12 + file.readUInt32LE(140);
    const first = file.readUInt32LE(dataset + 8 + 8);
    const last = file.readUInt32LE(dataset + 8 + 12 + 8);
    assert.deepEqual(walk(file, first), [
      'PATIENT',
      '  STUDY',
      '    SERIES',
      '      IMAGE',
      '      IMAGE',
      '    SERIES',
      '      IMAGE',
      '  STUDY',
      '    SERIES',
      '      IMAGE',
      'PATIENT',
      '  STUDY',
      '    SERIES',
      '      KEY OBJECT DOC',
    ]);
    assert.equal(recordAt(file, last).type, 'PATIENT');
    assert.equal(recordAt(file, last).next, 0, 'the last root record');
  });

  it('names UTF-8 only when a value needs it', () => {
    assert.ok(!buildDicomdir(layOutFileSet(instances)).includes('ISO_IR 192'));
    const accented = buildDicomdir(layOutFileSet([instance('P3', 4, 1, 1, { name: 'MÜLLER^JÜRGEN' })]));
    assert.ok(accented.includes('ISO_IR 192'));
    assert.ok(accented.includes(Buffer.from('MÜLLER^JÜRGEN', 'utf8')));
  });
});
