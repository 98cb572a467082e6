import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keywordToTag, Tag, tagToKeyword } from './tags';

describe('tags', () => {
  it('defines tags as 8 uppercase hex digits', () => {
    for (const [keyword, tag] of Object.entries(Tag)) assert.match(tag, /^[0-9A-F]{8}$/, keyword);
    assert.equal(Tag.StudyInstanceUID, '0020000D');
    assert.equal(Tag.TransferSyntaxUID, '00020010');
  });

  it('agrees with the dcmjs data dictionary', () => {
    for (const [keyword, tag] of Object.entries(Tag)) assert.equal(keywordToTag(keyword), tag, keyword);
  });

  it('keywordToTag takes a keyword or a tag', () => {
    assert.equal(keywordToTag('PatientName'), '00100010');
    assert.equal(keywordToTag('0020000d'), '0020000D');
    assert.equal(keywordToTag('NoSuchKeyword'), undefined);
  });

  it('tagToKeyword takes a tag or a keyword', () => {
    assert.equal(tagToKeyword('0020000d'), 'StudyInstanceUID');
    assert.equal(tagToKeyword('PatientID'), 'PatientID');
    assert.equal(tagToKeyword('00091001'), undefined);
  });
});
