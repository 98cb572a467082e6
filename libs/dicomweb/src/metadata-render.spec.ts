import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { gzipEtag, ifNoneMatch, instanceMetadata, renderSeriesMetadata } from './metadata-render';

const BASE = 'https://pacs.example/dicomweb';
const row = (sop: string, transferSyntaxUid = '1.2.840.10008.1.2.1', rows = true) => ({
  studyUid: '1.2.3',
  seriesUid: '1.2.3.4',
  sopInstanceUid: sop,
  transferSyntaxUid,
  attributes: {
    '00080018': { vr: 'UI', Value: [sop] },
    ...(rows ? { '00280010': { vr: 'US', Value: [512] } } : {}),
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JO' }] },
  },
});

describe('WADO-RS metadata rendering (PS3.18 10.4.1.1.2, F.2.6)', () => {
  it('replaces Pixel Data by a BulkDataURI under the instance, OW native and OB encapsulated', () => {
    const native = instanceMetadata(row('1.2.3.4.5'), BASE);
    assert.deepEqual(native['7FE00010'], { vr: 'OW', BulkDataURI: `${BASE}/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5/bulkdata/7FE00010` });
    assert.equal(instanceMetadata(row('1.2.3.4.6', '1.2.840.10008.1.2.4.50'), BASE)['7FE00010'].vr, 'OB');
    assert.equal(instanceMetadata(row('1.2.3.4.7', '1.2.840.10008.1.2.1', false), BASE)['7FE00010'], undefined, 'no Rows: no image');
  });

  it('names the stored transfer syntax and keeps the keys in tag order', () => {
    const meta = instanceMetadata(row('1.2.3.4.5', '1.2.840.10008.1.2'), BASE);
    assert.deepEqual(meta['00083002'], { vr: 'UI', Value: ['1.2.840.10008.1.2'] });
    assert.deepEqual(Object.keys(meta), ['00080018', '00083002', '00100010', '00280010', '7FE00010']);
  });

  it('renders a series as one JSON array with its gzip and a content-derived ETag', async () => {
    const a = await renderSeriesMetadata([row('1.1'), row('1.2')], BASE);
    const b = await renderSeriesMetadata([row('1.1'), row('1.2')], BASE);
    const c = await renderSeriesMetadata([row('1.1')], BASE);
    assert.deepEqual(JSON.parse(a.body.toString()).map((d: any) => d['00080018'].Value[0]), ['1.1', '1.2']);
    assert.ok(gunzipSync(a.gzip).equals(a.body));
    assert.equal(a.size, a.body.length);
    assert.equal(a.etag, b.etag);
    assert.notEqual(a.etag, c.etag);
  });

  it('matches If-None-Match weakly, with the gzip variant and *, and not other tags', () => {
    const etag = '"abc"';
    assert.equal(ifNoneMatch('"abc"', etag), true);
    assert.equal(ifNoneMatch('W/"abc"', etag), true);
    assert.equal(ifNoneMatch(`"x", ${gzipEtag(etag)}`, etag), true);
    assert.equal(ifNoneMatch('*', etag), true);
    assert.equal(ifNoneMatch('"abd"', etag), false);
    assert.equal(ifNoneMatch(undefined, etag), false);
  });
});
