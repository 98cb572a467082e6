import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateSync } from 'class-validator';
import { IsAeTitle, isAeTitle } from './ae-title';

describe('AE titles (PS3.5 6.2 AE)', () => {
  it('accepts what modalities send: up to 16 characters, inner and padding spaces included', () => {
    for (const ae of ['CT1', 'STORESCU', 'A'.repeat(16), 'MR SCANNER 2', ' PACS ', 'ae_title-1.x']) assert.equal(isAeTitle(ae), true, ae);
  });

  it('refuses empty, all-space, over-long titles and those with a backslash or control characters', () => {
    for (const ae of ['', '    ', 'A'.repeat(17), 'CT\\1', 'CT\n1', 'CT\x001', 'CT\x7f']) assert.equal(isAeTitle(ae), false, JSON.stringify(ae));
  });

  it('validates a DTO property, naming it in the message', () => {
    class Station {
      @IsAeTitle()
      aeTitle: unknown;
    }
    const station = new Station();
    station.aeTitle = 'CT1';
    assert.deepEqual(validateSync(station), []);
    for (const bad of ['A'.repeat(17), 42]) {
      station.aeTitle = bad;
      assert.match(String(Object.values(validateSync(station)[0]?.constraints ?? {})), /aeTitle must be an AE title/);
    }
  });
});
