// Viewer-fast series metadata (issue 3 item 5): a 1,000-instance series is built once, then
// served from the PostgreSQL cache with a stable ETag (304 on If-None-Match) and a stored gzip;
// a new instance invalidates it. Plus the HTTP edges of metadata: 406, 404, gzip bytes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { buildInstance, newUid } from '../support/generator';
import { http, multipartRelated } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

const SERIES_SIZE = 1000;
const BATCH = 100;

/** A GET whose body is not decoded (fetch would gunzip it behind our back). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('DICOMweb series metadata cache', () => {
  let server: TestServer;
  let token: string;
  const studyUid = newUid();
  const seriesUid = newUid();
  const spec = { studyUid, seriesUid, patientId: 'META-1', patientName: 'CACHE^TEST', seriesNumber: 1, rows: 8 };
  const url = () => `${server.httpUrl}/dicomweb/studies/${studyUid}/series/${seriesUid}/metadata`;
  const builds = () => server.logs().split('\n').filter((l) => l.includes('series metadata cached') && l.includes(seriesUid)).length;

  const stow = async (count: number, firstNumber: number) => {
    const parts = Array.from({ length: count }, (_, i) => buildInstance({ ...spec, instanceNumber: firstNumber + i }).bytes);
    const { body, contentType } = multipartRelated(parts);
    const res = await http(`${server.httpUrl}/dicomweb/studies`, { method: 'POST', token, body, headers: { 'content-type': contentType } });
    assert.equal(res.status, 200, res.body.toString().slice(0, 500));
  };

  before(async () => {
    server = await startTestServer();
    token = await server.token();
    for (let at = 0; at < SERIES_SIZE; at += BATCH) await stow(BATCH, at + 1);
  });
  after(async () => {
    await server?.stop();
  });

  it('builds the metadata of a 1,000-instance series once, then serves it from the cache with a stable ETag', async () => {
    const first = await http(url(), { token, headers: { accept: 'application/dicom+json' } });
    assert.equal(first.status, 200);
    const body = first.json<Record<string, { Value?: unknown[] }>[]>();
    assert.equal(body.length, SERIES_SIZE);
    assert.deepEqual(body.slice(0, 3).map((d) => d['00200013'].Value?.[0]), [1, 2, 3], 'instance order');
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]+"$/);
    assert.equal(builds(), 1);
    const warm = await http(url(), { token });
    assert.equal(warm.headers.get('etag'), etag);
    assert.ok(warm.body.equals(first.body));
    assert.equal(builds(), 1, 'the second request was served from the cache, not rebuilt');
  });

  it('answers 304 Not Modified to If-None-Match with the current ETag', async () => {
    const { headers } = await http(url(), { token });
    const etag = headers.get('etag') ?? '';
    const res = await http(url(), { token, headers: { 'if-none-match': etag } });
    assert.equal(res.status, 304);
    assert.equal(res.body.length, 0);
    assert.equal((await http(url(), { token, headers: { 'if-none-match': '"something-else"' } })).status, 200);
  });

  it('sends the cached gzip body with Content-Encoding: gzip when the client accepts gzip', async () => {
    const plain = await http(url(), { token, headers: { 'accept-encoding': 'identity' } });
    const zipped = await rawGet(url(), { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip, deflate' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.body.length < plain.body.length / 5, `gzip ${zipped.body.length} vs ${plain.body.length} bytes`);
    assert.ok(gunzipSync(zipped.body).equals(plain.body));
    const identity = await rawGet(url(), { authorization: `Bearer ${token}` });
    assert.equal(identity.headers['content-encoding'], undefined);
    assert.ok(identity.body.equals(plain.body));
  });

  it('invalidates the cached series when an instance is added (new ETag, new instance listed)', async () => {
    const before = (await http(url(), { token })).headers.get('etag');
    const buildsBefore = builds();
    await stow(1, SERIES_SIZE + 1);
    const after = await http(url(), { token });
    assert.notEqual(after.headers.get('etag'), before);
    assert.equal(after.json().length, SERIES_SIZE + 1);
    assert.equal(builds(), buildsBefore + 1);
    assert.equal((await http(url(), { token, headers: { 'if-none-match': before ?? '' } })).status, 200);
  });

  it('answers 406 to an Accept without JSON, 404 to an unknown series, and honours q-values', async () => {
    assert.equal((await http(url(), { token, headers: { accept: 'application/dicom' } })).status, 406);
    assert.equal((await http(url(), { token, headers: { accept: 'application/dicom+json;q=0, text/html' } })).status, 406);
    const json = await http(url(), { token, headers: { accept: 'application/dicom+json;q=0.5, application/json' } });
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
    const missing = `${server.httpUrl}/dicomweb/studies/${studyUid}/series/${newUid()}/metadata`;
    assert.equal((await http(missing, { token })).status, 404);
    assert.equal((await http(`${server.httpUrl}/dicomweb/studies/${newUid()}/metadata`, { token })).status, 404);
  });
});
