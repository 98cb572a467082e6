import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DicomWebError } from './dicomweb.errors';
import { negotiateWado } from './wado-negotiation';

const EVRLE = '1.2.840.10008.1.2.1';
const stored = new Set([EVRLE]);
const notAcceptable = (err: unknown) => err instanceof DicomWebError && err.code === 'not-acceptable';

describe('WADO-RS Accept negotiation (PS3.18 8.7.3)', () => {
  it('defaults to multipart when Accept is absent or any type', () => {
    assert.equal(negotiateWado(undefined, stored, true), 'multipart');
    assert.equal(negotiateWado('*/*', stored, true), 'multipart');
  });

  it('serves multipart/related; type="application/dicom" with * or the stored transfer syntax', () => {
    assert.equal(negotiateWado('multipart/related; type="application/dicom"', stored, false), 'multipart');
    assert.equal(negotiateWado('multipart/related; type="application/dicom"; transfer-syntax=*', stored, false), 'multipart');
    assert.equal(negotiateWado(`multipart/related; type=application/dicom; transfer-syntax=${EVRLE}`, stored, false), 'multipart');
  });

  it('serves bare application/dicom for one instance only', () => {
    assert.equal(negotiateWado('application/dicom', stored, true), 'single');
    assert.throws(() => negotiateWado('application/dicom', stored, false), notAcceptable);
  });

  it('refuses a transfer syntax other than the stored one (no transcoding)', () => {
    assert.throws(() => negotiateWado('multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50', stored, true), notAcceptable);
  });

  it('refuses media types of other WADO-RS resources', () => {
    assert.throws(() => negotiateWado('application/dicom+json', stored, true), notAcceptable);
    assert.throws(() => negotiateWado('multipart/related; type="application/octet-stream"', stored, true), notAcceptable);
  });

  it('falls back to the next acceptable range, by q value', () => {
    const accept = 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50, application/dicom; q=0.5';
    assert.equal(negotiateWado(accept, stored, true), 'single');
    assert.equal(negotiateWado('application/dicom; q=0.2, multipart/related; type="application/dicom"', stored, true), 'multipart');
  });
});
