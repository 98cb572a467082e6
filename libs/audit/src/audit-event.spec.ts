import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, chainHash, GENESIS_HASH, normalizeEvent, stagedEvent } from './audit-event';

const input = {
  actor: 'CT1',
  actorType: 'ae' as const,
  action: '110104',
  actionCode: 'C' as const,
  outcome: 0,
  studyUids: ['1.2', '1.2', '3.4'],
  details: { b: 1, a: { d: [1, 2], c: 'x' } },
  time: new Date('2026-01-02T03:04:05.678Z'),
};

describe('audit events: canonical form and hash chain', () => {
  it('sorts object keys at every depth, so JSONB key order does not change the hash', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } }), '{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('fills the readable name, de-duplicates study UIDs and links to the previous hash', () => {
    const e = normalizeEvent(input, GENESIS_HASH, 'pacs-a');
    assert.equal(e.actionName, 'DICOM Instances Transferred');
    assert.deepEqual(e.studyUids, ['1.2', '3.4']);
    assert.equal(e.prevHash, GENESIS_HASH);
    assert.match(e.hash, /^[0-9a-f]{64}$/);
  });

  it('changes the hash when any field or the previous hash changes, not when the id is assigned', () => {
    const e = normalizeEvent(input, GENESIS_HASH, 'pacs-a');
    const { hash, ...rest } = e;
    assert.equal(chainHash({ ...rest, id: 42 }), hash);
    assert.notEqual(chainHash({ ...rest, outcome: 4 }), hash);
    assert.notEqual(chainHash({ ...rest, source: 'pacs-b' }), hash, 'another recording node');
    assert.notEqual(chainHash({ ...rest, source: null }), hash, 'the source cleared');
    assert.notEqual(chainHash({ ...rest, source: '' }), hash, 'the source emptied');
    assert.notEqual(chainHash({ ...rest, details: { ...rest.details, b: 2 } }), hash);
    assert.notEqual(chainHash({ ...rest, prevHash: 'f'.repeat(64) }), hash);
  });

  it('hashes an event without a source (recorded before nodes were named) exactly as it was hashed then', () => {
    // The hash this event got before the source existed (the code of commit 5fca2f0).
    const before = 'f23484d61c10fedc17ee3d2d80334dfde58cb1d90b26ce3ef37e9b3349096eb9';
    assert.equal(normalizeEvent(input, GENESIS_HASH, null).hash, before);
    assert.notEqual(normalizeEvent(input, GENESIS_HASH, 'pacs-a').hash, before, 'a source added to such a row breaks it');
  });

  it('records the node given as the source, in staged and in chained events', () => {
    assert.equal(stagedEvent(input, 'pacs-a/w2').source, 'pacs-a/w2');
    assert.equal(normalizeEvent(input, GENESIS_HASH, 'pacs-b').source, 'pacs-b');
  });

  it('stores NUL and unpaired surrogates from the network as visible escapes, in every field and at any depth', () => {
    const e = normalizeEvent(
      {
        ...input,
        actor: 'NUL\0PEER',
        sourceAddress: '::1\0',
        patientId: 'P\0',
        studyUids: ['1.2\0.3'],
        details: { calledAe: 'PA\0CS', query: { 'Patient\0Name': ['x\ud800'] } },
      },
      GENESIS_HASH,
      'pacs-a',
    );
    assert.equal(e.actor, 'NUL\\u0000PEER');
    assert.equal(e.sourceAddress, '::1\\u0000');
    assert.equal(e.patientId, 'P\\u0000');
    assert.deepEqual(e.studyUids, ['1.2\\u0000.3']);
    assert.deepEqual(e.details, { calledAe: 'PA\\u0000CS', query: { 'Patient\\u0000Name': ['x\\ud800'] } });
    assert.equal(chainHash(e), e.hash, 'the hash covers the stored form');
    assert.equal(stagedEvent({ ...input, actor: 'A\0' }, 'pacs-a').actor, 'A\\u0000', 'staged events (ingest, reads) too');
  });
});
