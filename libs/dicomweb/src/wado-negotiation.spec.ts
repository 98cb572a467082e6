import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@pacs/errors';
import { negotiateWado } from './wado-negotiation';

const EVRLE = '1.2.840.10008.1.2.1';
const IVRLE = '1.2.840.10008.1.2';
const JPEG = '1.2.840.10008.1.2.4.50';
const J2K = '1.2.840.10008.1.2.4.90';
const MPEG2 = '1.2.840.10008.1.2.4.100';
const stored = new Set([EVRLE]);
const notAcceptable = (err: unknown) => err instanceof DomainError && err.code === 'not-acceptable';
const multipart = (transferSyntax = '*') => ({ rendering: 'multipart', transferSyntax });
const single = (transferSyntax = '*') => ({ rendering: 'single', transferSyntax });

describe('WADO-RS Accept negotiation (PS3.18 8.7.3)', () => {
  it('defaults to multipart in explicit VR little endian when Accept is absent or any type', () => {
    assert.deepEqual(negotiateWado(undefined, stored, true), multipart(EVRLE));
    assert.deepEqual(negotiateWado('*/*', new Set([JPEG]), true), multipart(EVRLE));
    assert.deepEqual(negotiateWado('multipart/*', new Set([IVRLE, J2K]), false), multipart(EVRLE));
  });

  it('an any-type Accept gets the stored syntax when an instance cannot be decoded (video)', () => {
    assert.deepEqual(negotiateWado('*/*', new Set([JPEG, MPEG2]), false), multipart());
  });

  it('application/dicom without transfer-syntax means explicit VR little endian (PS3.18 8.7.3.5.2)', () => {
    for (const syntaxes of [stored, new Set([JPEG]), new Set([IVRLE, J2K])]) {
      assert.deepEqual(negotiateWado('multipart/related; type="application/dicom"', syntaxes, false), multipart(EVRLE));
      assert.deepEqual(negotiateWado('application/dicom', syntaxes, true), single(EVRLE));
    }
    assert.throws(() => negotiateWado('multipart/related; type="application/dicom"', new Set([JPEG, MPEG2]), false), (e: unknown) =>
      notAcceptable(e) && /cannot be produced: no decoder for 1\.2\.840\.10008\.1\.2\.4\.100/.test((e as Error).message));
  });

  it('transfer-syntax=* or the stored syntax sends every instance as stored', () => {
    assert.deepEqual(negotiateWado('multipart/related; type="application/dicom"; transfer-syntax=*', new Set([JPEG, J2K]), false), multipart());
    assert.deepEqual(negotiateWado('application/dicom; transfer-syntax=*', new Set([JPEG]), true), single());
    assert.deepEqual(negotiateWado(`multipart/related; type=application/dicom; transfer-syntax=${EVRLE}`, stored, false), multipart(EVRLE));
    assert.deepEqual(negotiateWado(`multipart/related; type=application/dicom; transfer-syntax=${JPEG}`, new Set([JPEG]), false), multipart());
  });

  it('serves bare application/dicom for one instance only', () => {
    assert.deepEqual(negotiateWado('application/dicom; transfer-syntax=*', stored, true), single());
    assert.throws(() => negotiateWado('application/dicom', stored, false), notAcceptable);
  });

  it('produces explicit VR little endian from native and compressed syntaxes when asked (PS3.18 8.7.3.5)', () => {
    const mixed = new Set([EVRLE, IVRLE, JPEG]);
    assert.deepEqual(negotiateWado(`multipart/related; type="application/dicom"; transfer-syntax=${EVRLE}`, mixed, false), multipart(EVRLE));
    assert.deepEqual(negotiateWado(`application/dicom; transfer-syntax=${EVRLE}`, new Set([IVRLE]), true), single(EVRLE));
  });

  it('refuses a transfer syntax it cannot produce', () => {
    assert.throws(() => negotiateWado(`multipart/related; type="application/dicom"; transfer-syntax=${JPEG}`, stored, true), notAcceptable);
    assert.throws(() => negotiateWado(`multipart/related; type="application/dicom"; transfer-syntax=${EVRLE}`, new Set([EVRLE, MPEG2]), false), notAcceptable);
  });

  it('refuses media types of other WADO-RS resources', () => {
    assert.throws(() => negotiateWado('application/dicom+json', stored, true), notAcceptable);
    assert.throws(() => negotiateWado('multipart/related; type="application/octet-stream"', stored, true), notAcceptable);
  });

  it('falls back to the next acceptable range, by q value', () => {
    const accept = `multipart/related; type="application/dicom"; transfer-syntax=${JPEG}, application/dicom; q=0.5`;
    assert.deepEqual(negotiateWado(accept, stored, true), single(EVRLE));
    assert.deepEqual(negotiateWado('application/dicom; q=0.2, multipart/related; type="application/dicom"', stored, true), multipart(EVRLE));
    assert.throws(() => negotiateWado('multipart/related; type="application/dicom"; q=0', stored, true), notAcceptable);
  });
});
