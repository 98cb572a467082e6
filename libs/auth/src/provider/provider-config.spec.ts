import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isProviderIssuer, viewerOrigins } from './provider-config';
import { escapeHtml, loginPage } from './provider-pages';

describe('OpenID provider: issuers, viewer origins, login page', () => {
  it('recognises <origin>/oidc as our issuer and nothing else', () => {
    for (const iss of ['http://127.0.0.1:8080/oidc', 'https://pacs.example.org/oidc']) assert.equal(isProviderIssuer(iss), true, iss);
    for (const iss of ['pacs', 'https://pacs.example.org/oidc/', 'https://pacs.example.org/other/oidc', 'ftp://x/oidc', 'https://a@pacs.example.org/oidc', 42]) {
      assert.equal(isProviderIssuer(iss), false, String(iss));
    }
  });

  it("lets the viewer come back to the request's origin and the CORS origins, never to any origin for *", () => {
    assert.deepEqual(viewerOrigins('http://pacs:8080', ['https://viewer.example.org', 'http://pacs:8080']), ['http://pacs:8080', 'https://viewer.example.org']);
    assert.deepEqual(viewerOrigins('http://pacs:8080', ['*']), ['http://pacs:8080']);
  });

  it('writes user input into the form escaped', () => {
    assert.equal(escapeHtml(`"><script>&'`), '&#34;&#62;&#60;script&#62;&#38;&#39;');
    const page = loginPage('abc', { username: '"><img src=x>', message: '<b>no</b>' });
    assert.ok(!page.includes('<img'));
    assert.ok(!page.includes('<b>no'));
    assert.match(page, /id="login"/);
  });
});
