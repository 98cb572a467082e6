// A browser viewer served from another origin (PACS_HTTP_CORS_ORIGINS): its preflights are
// answered 204 before authentication on DICOMweb and REST routes, its responses carry the CORS
// headers (also a 401, so it can read it and log in), and an origin not listed gets none.
// Without the setting nothing changes: no CORS headers, OPTIONS unknown.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

const VIEWER = 'http://viewer.example.org:3000';

const preflight = (url: string, origin: string, method: string, headers: string) =>
  http(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

describe('CORS for a viewer on another origin', () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await startTestServer({ env: { PACS_HTTP_CORS_ORIGINS: `${VIEWER}, https://other.example.org` } });
    token = await server.token();
  });

  after(() => server?.stop());

  it('answers a DICOMweb preflight 204 with the methods and request headers a viewer sends', async () => {
    const res = await preflight(`${server.httpUrl}/dicomweb/studies`, VIEWER, 'GET', 'authorization,accept');
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), VIEWER);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /GET/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
    assert.equal(res.headers.get('access-control-allow-credentials'), null, 'bearer tokens, never cookies');
  });

  it('answers a REST preflight for a JSON POST the same way', async () => {
    const res = await preflight(`${server.httpUrl}/api/worklist`, VIEWER, 'POST', 'authorization,content-type');
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), VIEWER);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  it('lets the viewer read a QIDO-RS answer and the headers it needs', async () => {
    const res = await http(`${server.httpUrl}/dicomweb/studies`, { token, headers: { origin: VIEWER, accept: 'application/dicom+json' } });
    assert.ok([200, 204].includes(res.status), String(res.status));
    assert.equal(res.headers.get('access-control-allow-origin'), VIEWER);
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const header of ['content-type', 'content-length', 'etag', 'warning', 'location']) assert.ok(exposed.includes(header), `${header} in ${exposed}`);
    assert.match(res.headers.get('vary') ?? '', /origin/i);
  });

  it('puts the CORS headers on a 401 too, so the viewer can see it must log in', async () => {
    const res = await http(`${server.httpUrl}/dicomweb/studies`, { headers: { origin: VIEWER } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('access-control-allow-origin'), VIEWER);
  });

  it('gives an origin that is not listed no CORS headers, so its browser refuses the answer', async () => {
    const stranger = 'http://evil.example.net';
    const pre = await preflight(`${server.httpUrl}/dicomweb/studies`, stranger, 'GET', 'authorization');
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const res = await http(`${server.httpUrl}/dicomweb/studies`, { token, headers: { origin: stranger } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});

describe('CORS off (PACS_HTTP_CORS_ORIGINS unset)', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(() => server?.stop());

  it('sends no CORS headers and knows no OPTIONS route', async () => {
    const pre = await preflight(`${server.httpUrl}/dicomweb/studies`, VIEWER, 'GET', 'authorization');
    assert.equal(pre.status, 404);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    const res = await http(`${server.httpUrl}/dicomweb/studies`, { token: await server.token(), headers: { origin: VIEWER } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});
