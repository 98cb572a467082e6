import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@pacs/errors';
import { negotiateWado } from './wado-negotiation';

const EVRLE = '1.2.840.10008.1.2.1';
const IVRLE = '1.2.840.10008.1.2';
const JPEG = '1.2.840.10008.1.2.4.50';
const stored = new Set([EVRLE]);
const notAcceptable = (err: unknown) => err instanceof DomainError && err.code === 'not-acceptable';
const multipart = (transferSyntax = '*') => ({ rendering: 'multipart', transferSyntax });
const single = (transferSyntax = '*') => ({ rendering: 'single', transferSyntax });

describe('WADO-RS Accept negotiation (PS3.18 8.7.3)', () => {
  it('defaults to multipart as stored when Accept is absent or any type', () => {
    assert.deepEqual(negotiateWado(undefined, stored, true), multipart());
    assert.deepEqual(negotiateWado('*/*', stored, true), multipart());
    assert.deepEqual(negotiateWado('multipart/*', stored, false), multipart());
  });

  it('serves multipart/related; type="application/dicom" with * or the stored transfer syntax', () => {
    assert.deepEqual(negotiateWado('multipart/related; type="application/dicom"', stored, false), multipart());
    assert.deepEqual(negotiateWado('multipart/related; type="application/dicom"; transfer-syntax=*', stored, false), multipart());
    assert.deepEqual(negotiateWado(`multipart/related; type=application/dicom; transfer-syntax=${EVRLE}`, stored, false), multipart());
    assert.deepEqual(negotiateWado(`multipart/related; type=application/dicom; transfer-syntax=${JPEG}`, new Set([JPEG]), false), multipart());
  });

  it('serves bare application/dicom for one instance only', () => {
    assert.deepEqual(negotiateWado('application/dicom', stored, true), single());
    assert.throws(() => negotiateWado('application/dicom', stored, false), notAcceptable);
  });

  it('transcodes native syntaxes to explicit VR little endian when asked (PS3.18 8.7.3.5)', () => {
    const mixed = new Set([EVRLE, IVRLE]);
    assert.deepEqual(negotiateWado(`multipart/related; type="application/dicom"; transfer-syntax=${EVRLE}`, mixed, false), multipart(EVRLE));
    assert.deepEqual(negotiateWado(`application/dicom; transfer-syntax=${EVRLE}`, new Set([IVRLE]), true), single(EVRLE));
    assert.deepEqual(negotiateWado('multipart/related; type="application/dicom"', mixed, false), multipart());
  });

  it('refuses a transfer syntax it cannot produce, and explicit VR LE of compressed data', () => {
    assert.throws(() => negotiateWado(`multipart/related; type="application/dicom"; transfer-syntax=${JPEG}`, stored, true), notAcceptable);
    assert.throws(() => negotiateWado(`multipart/related; type="application/dicom"; transfer-syntax=${EVRLE}`, new Set([EVRLE, JPEG]), false), notAcceptable);
  });

  it('refuses media types of other WADO-RS resources', () => {
    assert.throws(() => negotiateWado('application/dicom+json', stored, true), notAcceptable);
    assert.throws(() => negotiateWado('multipart/related; type="application/octet-stream"', stored, true), notAcceptable);
  });

  it('falls back to the next acceptable range, by q value', () => {
    const accept = `multipart/related; type="application/dicom"; transfer-syntax=${JPEG}, application/dicom; q=0.5`;
    assert.deepEqual(negotiateWado(accept, stored, true), single());
    assert.deepEqual(negotiateWado('application/dicom; q=0.2, multipart/related; type="application/dicom"', stored, true), multipart());
    assert.throws(() => negotiateWado('multipart/related; type="application/dicom"; q=0', stored, true), notAcceptable);
  });
});
