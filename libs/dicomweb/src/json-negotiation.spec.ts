import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@pacs/errors';
import { negotiateJson } from './json-negotiation';

const pick = (accept?: string) => negotiateJson({ headers: { accept } }).split(';')[0];
const notAcceptable = (err: unknown) => err instanceof DomainError && err.code === 'not-acceptable';

describe('DICOM JSON Accept negotiation (PS3.18 8.7.3, QIDO-RS and metadata)', () => {
  it('answers application/dicom+json by default and for any-type ranges', () => {
    assert.equal(pick(undefined), 'application/dicom+json');
    assert.equal(pick('*/*'), 'application/dicom+json');
    assert.equal(pick('application/*'), 'application/dicom+json');
    assert.equal(pick('application/dicom+json; charset=utf-8'), 'application/dicom+json');
  });

  it('answers application/json when the client prefers it by q-value', () => {
    assert.equal(pick('application/dicom+json; q=0.5, application/json'), 'application/json');
    assert.equal(pick('text/html, application/json; q=0.1'), 'application/json');
  });

  it('refuses XML, multipart and q=0 (406)', () => {
    assert.throws(() => pick('application/dicom+xml'), notAcceptable);
    assert.throws(() => pick('multipart/related; type="application/dicom+xml"'), notAcceptable);
    assert.throws(() => pick('application/dicom+json; q=0'), notAcceptable);
    assert.throws(() => pick('application/json; charset=iso-8859-1'), notAcceptable);
  });
});
