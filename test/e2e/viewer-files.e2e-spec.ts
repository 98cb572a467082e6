// The bundled OHIF viewer as files over HTTP (the browser runs are in viewer-browser.e2e-spec):
// /viewer/ serves the build rebased onto /viewer/, app-config.js names this server's DICOMweb
// and OpenID provider, app routes fall back to index.html, content-hashed files are cached for
// good and the rest revalidated; PACS_VIEWER=off turns it all off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { http } from '../support/http';
import { startTestServer, TestServer } from '../support/server';

describe('the bundled viewer at /viewer/', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });

  after(() => server?.stop());

  it('serves OHIF whose scripts and public path are under /viewer/', async () => {
    const res = await http(`${server.httpUrl}/viewer/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = res.body.toString('utf8');
    assert.match(html, /window\.PUBLIC_URL="\/viewer\/"/);
    const bundle = /src="(\/viewer\/app\.bundle\.[0-9a-f]{16}\.js)"/.exec(html);
    assert.ok(bundle, 'app bundle under /viewer/');
    assert.doesNotMatch(html, /(src|href)="\/(?!viewer\/)/, 'nothing is loaded from the root');
    const script = await http(`${server.httpUrl}${bundle[1]}`);
    assert.equal(script.status, 200);
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match(script.body.toString('latin1'), /__webpack_require__\.p = "\/viewer\/"/);
    const gzipped = await fetch(`${server.httpUrl}${bundle[1]}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
    assert.match(gzipped.headers.get('vary') ?? '', /accept-encoding/i, 'caches keep both encodings apart');
    assert.ok(Number(gzipped.headers.get('content-length')) < script.body.length / 2, 'compressed on the wire');
    assert.ok(Buffer.from(await gzipped.arrayBuffer()).equals(script.body), 'the same script once decoded');
  });

  it('generates app-config.js for this server: its own DICOMweb root and OpenID provider', async () => {
    const res = await http(`${server.httpUrl}/viewer/app-config.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const window: { config?: any } = {};
    new Function('window', res.body.toString('utf8'))(window);
    assert.equal(window.config.dataSources[0].configuration.qidoRoot, `${server.httpUrl}/dicomweb`);
    assert.equal(window.config.oidc[0].authority, `${server.httpUrl}/oidc`);
    assert.equal(window.config.oidc[0].client_id, 'pacs-viewer');
  });

  it('answers index.html for app routes, and 404 for a file that is not there', async () => {
    for (const route of ['/viewer/callback', '/viewer/viewer?StudyInstanceUIDs=1.2.3']) {
      const res = await http(`${server.httpUrl}${route}`);
      assert.equal(res.status, 200, route);
      assert.match(res.body.toString('utf8'), /<div id="root">/, route);
    }
    assert.equal((await http(`${server.httpUrl}/viewer/no-such-file.js`)).status, 404);
    assert.equal((await http(`${server.httpUrl}/viewer/../package.json`)).status, 404);
  });

  it('has a signed-out page for the issuer to send the browser to after logout', async () => {
    const res = await http(`${server.httpUrl}/viewer/logout-redirect.html`);
    assert.equal(res.status, 200);
    assert.match(res.body.toString('utf8'), /signed out[\s\S]*href="\/viewer\/"/);
  });

  it('redirects /viewer to /viewer/', async () => {
    const res = await fetch(`${server.httpUrl}/viewer`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/viewer/');
  });

  it('revalidates unhashed files (ETag) rather than caching them for good', async () => {
    const first = await http(`${server.httpUrl}/viewer/silent-refresh.html`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), 'no-cache');
    const etag = first.headers.get('etag');
    assert.ok(etag);
    // fetch() alone would add Cache-Control: no-cache to a conditional request (Fetch standard, HTTP-network-or-cache fetch).
    const again = await http(`${server.httpUrl}/viewer/silent-refresh.html`, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } });
    assert.equal(again.status, 304);
  });
});

describe('PACS_VIEWER=off', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { PACS_VIEWER: 'off' } });
  });

  after(() => server?.stop());

  it('answers 404 for the viewer and its configuration', async () => {
    for (const path of ['/viewer/', '/viewer/app-config.js', '/viewer/index.html']) {
      assert.equal((await http(`${server.httpUrl}${path}`)).status, 404, path);
    }
  });
});
