import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withRetrieveUrl } from './qido-response';

const BASE = 'http://pacs:8080/dicomweb';
const result = {
  '00080018': { vr: 'UI', Value: ['1.2.3.4.5'] },
  '0020000D': { vr: 'UI', Value: ['1.2.3'] },
  '0020000E': { vr: 'UI', Value: ['1.2.3.4'] },
};

describe('QIDO-RS Retrieve URL (PS3.18 10.6.3.3)', () => {
  it('points at the study, series or instance resource of the level, in tag order', () => {
    const url = (level: 'study' | 'series' | 'instance') => withRetrieveUrl(result, level, BASE)['00081190'];
    assert.deepEqual(url('study'), { vr: 'UR', Value: [`${BASE}/studies/1.2.3`] });
    assert.deepEqual(url('series'), { vr: 'UR', Value: [`${BASE}/studies/1.2.3/series/1.2.3.4`] });
    assert.deepEqual(url('instance'), { vr: 'UR', Value: [`${BASE}/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5`] });
    assert.deepEqual(Object.keys(withRetrieveUrl(result, 'study', BASE)), ['00080018', '00081190', '0020000D', '0020000E']);
  });

  it('adds nothing when the UIDs it needs are not in the result', () => {
    assert.equal(withRetrieveUrl({ '0020000D': result['0020000D'] }, 'series', BASE)['00081190'], undefined);
  });
});
