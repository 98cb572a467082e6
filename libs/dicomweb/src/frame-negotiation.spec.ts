import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiateBulkData, negotiateFrames } from './frame-negotiation';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const JPEG = '1.2.840.10008.1.2.4.50';
const JLS = '1.2.840.10008.1.2.4.80';
const MPEG2 = '1.2.840.10008.1.2.4.100';

describe('WADO-RS frames Accept negotiation (PS3.18 8.7.3, 8.7.4)', () => {
  it('native frames go out as application/octet-stream for OHIF, no Accept, any type and an explicit syntax', () => {
    for (const accept of [
      'multipart/related; type="application/octet-stream"; transfer-syntax=*',
      undefined,
      '*/*',
      'multipart/related; type="application/octet-stream"',
      `multipart/related; type="application/octet-stream"; transfer-syntax=${EXPLICIT_LE}`,
    ]) {
      assert.deepEqual(negotiateFrames(accept, EXPLICIT_LE, false), { mediaType: 'application/octet-stream', transferSyntaxUid: EXPLICIT_LE }, String(accept));
    }
  });

  it('compressed frames go out decoded as octet-stream in explicit VR LE by default: no Accept, any type, octet-stream without a syntax', () => {
    for (const accept of [undefined, '*/*', 'multipart/related; type="application/octet-stream"', `multipart/related; type="application/octet-stream"; transfer-syntax=${EXPLICIT_LE}`]) {
      for (const stored of [JPEG, JLS]) {
        assert.deepEqual(negotiateFrames(accept, stored, true), { mediaType: 'application/octet-stream', transferSyntaxUid: EXPLICIT_LE }, `${accept} ${stored}`);
      }
    }
  });

  it('compressed frames without a decoder go out as stored for any type (video)', () => {
    assert.deepEqual(negotiateFrames('*/*', MPEG2, true), { mediaType: 'application/octet-stream', transferSyntaxUid: MPEG2 });
  });

  it('compressed frames go out in their stored syntax: own media type, or octet-stream when asked with transfer-syntax=*', () => {
    assert.deepEqual(negotiateFrames('multipart/related; type="image/jpeg"', JPEG, true), { mediaType: 'image/jpeg', transferSyntaxUid: JPEG });
    assert.deepEqual(negotiateFrames('multipart/related; type="image/x-jls"', JLS, true), { mediaType: 'image/x-jls', transferSyntaxUid: JLS });
    assert.deepEqual(negotiateFrames('multipart/related; type="application/octet-stream"; transfer-syntax=*', JLS, true), { mediaType: 'application/octet-stream', transferSyntaxUid: JLS });
  });

  it('q-values choose between acceptable ranges', () => {
    const accept = `multipart/related; type="application/octet-stream"; transfer-syntax=*; q=0.5, multipart/related; type="image/jpeg"; transfer-syntax=${JPEG}; q=0.9`;
    assert.equal(negotiateFrames(accept, JPEG, true).mediaType, 'image/jpeg');
    const reversed = `multipart/related; type="application/octet-stream"; transfer-syntax=*; q=0.9, multipart/related; type="image/jpeg"; q=0.5`;
    assert.equal(negotiateFrames(reversed, JPEG, true).mediaType, 'application/octet-stream');
  });

  it('a syntax we cannot produce is not acceptable (406)', () => {
    const cases: [string, string, boolean][] = [
      ['multipart/related; type="application/octet-stream"', MPEG2, true], // default = explicit VR LE: no decoder for video
      [`multipart/related; type="image/jpeg"; transfer-syntax=${JPEG}`, EXPLICIT_LE, false], // would need encoding
      [`multipart/related; type="image/jls"; transfer-syntax=${JLS}`, JPEG, true],
      ['multipart/related; type="application/octet-stream"; transfer-syntax=*; q=0', EXPLICIT_LE, false],
      ['application/dicom', EXPLICIT_LE, false],
    ];
    for (const [accept, stored, encapsulated] of cases) {
      assert.throws(() => negotiateFrames(accept, stored, encapsulated), (e: { code?: string }) => e.code === 'not-acceptable', accept);
    }
  });

  it('bulk data goes out as stored unless another syntax is named', () => {
    assert.equal(negotiateBulkData('multipart/related; type="application/octet-stream"', JPEG).transferSyntaxUid, JPEG);
    assert.throws(() => negotiateBulkData(`multipart/related; type="application/octet-stream"; transfer-syntax=${EXPLICIT_LE}`, JPEG), /cannot satisfy/);
  });
});
