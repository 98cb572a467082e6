import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngestOutcome } from '@pacs/index';
import { StowResponseBuilder } from './stow-response';

const base = 'https://pacs.example/dicomweb';
const outcome = (sop: string): IngestOutcome => ({
  result: 'stored',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: sop,
  studyUid: '1.2.3',
  seriesUid: '1.2.3.4',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
});

describe('STOW-RS response (PS3.18 10.5.3)', () => {
  it('200 with the study Retrieve URL and a Referenced SOP item per stored instance', () => {
    const r = new StowResponseBuilder(base);
    r.addStored(outcome('1.2.3.4.5'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.toJson(), {
      '00081190': { vr: 'UR', Value: [`${base}/studies/1.2.3`] },
      '00081199': {
        vr: 'SQ',
        Value: [
          {
            '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
            '00081155': { vr: 'UI', Value: ['1.2.3.4.5'] },
            '00081190': { vr: 'UR', Value: [`${base}/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5`] },
          },
        ],
      },
    });
  });

  it('202 when some failed, with a Failed SOP item carrying the Failure Reason', () => {
    const r = new StowResponseBuilder(base);
    r.addStored(outcome('1.2.3.4.5'));
    r.addFailed('unparsable');
    assert.equal(r.status, 202);
    assert.deepEqual(r.toJson()['00081198'], { vr: 'SQ', Value: [{ '00081197': { vr: 'US', Value: [0xc000] } }] });
  });

  it('409 when none was stored; the study URL comes from the request path', () => {
    const r = new StowResponseBuilder(base, '9.9');
    r.addFailed('study-mismatch', { sopClassUid: '1.2', sopInstanceUid: '1.2.3' });
    assert.equal(r.status, 409);
    const json = r.toJson();
    assert.deepEqual(json['00081190'], { vr: 'UR', Value: [`${base}/studies/9.9`] });
    assert.equal(json['00081199'], undefined);
    assert.deepEqual(json['00081198'].Value, [
      { '00081150': { vr: 'UI', Value: ['1.2'] }, '00081155': { vr: 'UI', Value: ['1.2.3'] }, '00081197': { vr: 'US', Value: [0xa900] } },
    ]);
  });
});
