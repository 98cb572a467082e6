import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFrameList } from './frame-list';
import { parseRenderRequest } from './render-params';

const badRequest = (e: { code?: string }) => e.code === 'bad-request';

describe('WADO-RS rendered parameters (PS3.18 8.3.5) and frame lists (PS3.18 10.4.1.1.3)', () => {
  it('defaults to JPEG quality 90 with no window and no viewport', () => {
    assert.deepEqual(parseRenderRequest({}, undefined), { format: 'image/jpeg', window: undefined, viewport: undefined, quality: 90 });
  });

  it('chooses PNG by Accept q-values, and the accept parameter replaces the header', () => {
    assert.equal(parseRenderRequest({}, 'image/jpeg;q=0.5, image/png').format, 'image/png');
    assert.equal(parseRenderRequest({ accept: 'image/png' }, 'image/jpeg').format, 'image/png');
    assert.equal(parseRenderRequest({}, 'image/*').format, 'image/jpeg');
    assert.throws(() => parseRenderRequest({}, 'image/gif'), (e: { code?: string }) => e.code === 'not-acceptable');
  });

  it('reads window center,width[,function] and viewport width,height', () => {
    const r = parseRenderRequest({ window: '-600,1500,sigmoid', viewport: '256,', quality: '70' }, undefined);
    assert.deepEqual(r.window, { center: -600, width: 1500, fn: 'SIGMOID' });
    assert.deepEqual(r.viewport, { width: 256, height: undefined });
    assert.equal(r.quality, 70);
    assert.deepEqual(parseRenderRequest({ window: '40,400' }, undefined).window, { center: 40, width: 400, fn: 'LINEAR' });
  });

  it('refuses malformed window, viewport, quality and repeated parameters (400)', () => {
    for (const query of [
      { window: '40' },
      { window: '40,0' },
      { window: '40,400,cubic' },
      { window: ',400' },
      { viewport: '0,10' },
      { viewport: '10,10,0,0,5,5' },
      { viewport: ',' },
      { quality: '101' },
      { quality: 'high' },
      { window: ['1,2', '3,4'] },
    ]) {
      assert.throws(() => parseRenderRequest(query, undefined), badRequest, JSON.stringify(query));
    }
  });

  it('parses frame lists and refuses malformed ones (400)', () => {
    assert.deepEqual(parseFrameList('3,1,2'), [3, 1, 2]);
    for (const list of ['', '0', '1,', '1,,2', 'a', '-1', '1.5']) assert.throws(() => parseFrameList(list), badRequest, list);
  });
});
