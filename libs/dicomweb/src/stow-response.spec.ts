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

  it('507 Insufficient Storage when none was stored because the disk is full, with Failure Reason A700', () => {
    const r = new StowResponseBuilder(base);
    r.addFailed('out-of-space', { sopClassUid: '1.2', sopInstanceUid: '1.2.3' });
    r.addFailed('out-of-space', { sopClassUid: '1.2', sopInstanceUid: '1.2.4' });
    assert.equal(r.status, 507);
    assert.deepEqual(r.toJson()['00081198'].Value?.map((item) => (item as Record<string, { Value: unknown[] }>)['00081197'].Value[0]), [0xa700, 0xa700]);
  });

  it('503 when none was stored because storage failed, 500 when server failures differ', () => {
    const failed = new StowResponseBuilder(base);
    failed.addFailed('storage-failure');
    assert.equal(failed.status, 503);
    const mixed = new StowResponseBuilder(base);
    mixed.addFailed('storage-failure');
    mixed.addFailed('out-of-space');
    assert.equal(mixed.status, 500);
  });

  it('409 when none was stored for a mixture of request and server reasons', () => {
    const r = new StowResponseBuilder(base);
    r.addFailed('out-of-space');
    r.addFailed('unparsable');
    assert.equal(r.status, 409);
  });

  it('202, not 5xx, when the disk filled up after some instances were stored', () => {
    const r = new StowResponseBuilder(base);
    r.addStored(outcome('1.2.3.4.5'));
    r.addFailed('out-of-space');
    assert.equal(r.status, 202);
  });
});
