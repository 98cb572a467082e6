import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DicomJson } from '@pacs/dicom';
import { KEY_OBJECT_SELECTION, rejectionNote } from './rejection-note';

const sq = (...items: DicomJson[]) => ({ vr: 'SQ', Value: items });
const ui = (uid: string) => ({ vr: 'UI', Value: [uid] });
const sh = (text: string) => ({ vr: 'SH', Value: [text] });

/** A KOS data set: title (code, scheme), and the evidence of one study, one series, `sops`. */
function kos(code: string, scheme: string, sops: string[]): DicomJson {
  return {
    '0040A043': sq({ '00080100': sh(code), '00080102': sh(scheme), '00080104': { vr: 'LO', Value: ['title'] } }),
    '0040A375': sq({
      '0020000D': ui('1.2.3'),
      '00081115': sq({ '0020000E': ui('1.2.3.4'), '00081199': sq(...sops.map((uid) => ({ '00081150': ui('1.2.840.10008.5.1.4.1.1.2'), '00081155': ui(uid) }))) }),
    }),
  };
}

describe('IOCM Rejection Note recognition (CID 7011 titles, IHE RAD TF-2)', () => {
  it('reads the reason and every referenced instance of a KOS titled Rejected for Quality Reasons', () => {
    const note = rejectionNote(KEY_OBJECT_SELECTION, kos('113001', 'DCM', ['1.2.3.4.5', '1.2.3.4.6']));
    assert.deepEqual(note, {
      reasonCode: '113001',
      reasonMeaning: 'Rejected for Quality Reasons',
      references: [
        { studyUid: '1.2.3', seriesUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.5' },
        { studyUid: '1.2.3', seriesUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.6' },
      ],
    });
  });

  it('knows the four titles of CID 7011', () => {
    for (const code of ['113001', '113037', '113038', '113039']) assert.equal(rejectionNote(KEY_OBJECT_SELECTION, kos(code, 'DCM', ['1.9']))?.reasonCode, code);
  });

  it('leaves an ordinary KOS (another title, another scheme) and other SOP classes alone', () => {
    assert.equal(rejectionNote(KEY_OBJECT_SELECTION, kos('113000', 'DCM', ['1.9'])), undefined, 'Of Interest');
    assert.equal(rejectionNote(KEY_OBJECT_SELECTION, kos('113001', '99LOCAL', ['1.9'])), undefined);
    assert.equal(rejectionNote('1.2.840.10008.5.1.4.1.1.88.11', kos('113001', 'DCM', ['1.9'])), undefined);
    assert.equal(rejectionNote(KEY_OBJECT_SELECTION, {}), undefined);
  });
});
