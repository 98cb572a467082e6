// OHIF in a real browser (Debian's chromium, headless), as a radiologist uses it: open the viewer,
// sign in through the login form, see the stored studies in the study list, open a CT series and
// a JPEG 2000 study and see pixels in the viewport, with no request of the viewer failing. First
// the bundled viewer at /viewer/ (same origin), then the same build served from another origin
// with PACS_HTTP_CORS_ORIGINS naming it; then, with the hospital's IdP configured instead of
// our provider (a separate OpenID provider process), the bundled viewer again, and the other
// origin without PACS_HTTP_CORS_ORIGINS, which the browser blocks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'puppeteer-core';
import { dismissOverlays, launchChromium, RequestWatch, waitForImage } from '../support/browser';
import { buildInstance, newUid } from '../support/generator';
import { ExternalIdp, startExternalIdp } from '../support/external-idp';
import { http, multipartRelated } from '../support/http';
import { toJpeg2000 } from '../support/pixel-instances';
import { freePort } from '../support/ports';
import { startTestServer, TestServer } from '../support/server';
import { startViewerOrigin, ViewerOrigin } from '../support/viewer-origin';

const USER = { username: 'dr.house', password: 'viewer-test-password-1', roles: ['radiologist'] };
/** The external IdP's user (test/support/external-idp.ts). */
const IDP_USER = { username: 'radiologist', password: 'hospital-pass-1' };
type Credentials = { username: string; password: string };
const TOKEN_TTL_SECONDS = 65;
/** The study descriptions the study list must show, and the blank control's. */
const STUDIES = ['Viewer CT chest', 'Viewer J2K knee'];
const FLAT_STUDY = 'Viewer flat phantom';

interface Stored {
  ctStudy: string;
  j2kStudy: string;
}

/** A local radiologist, a 5-slice CT series and a one-image JPEG 2000 CR study, stored by STOW-RS. */
async function seed(server: TestServer): Promise<Stored> {
  const admin = await server.token();
  const created = await http(`${server.httpUrl}/api/users`, {
    method: 'POST', token: admin, headers: { 'content-type': 'application/json' }, body: JSON.stringify(USER),
  });
  assert.equal(created.status, 201, created.body.toString());
  const ctStudy = newUid();
  const seriesUid = newUid();
  const ct = Array.from({ length: 5 }, (_, i) =>
    buildInstance({
      studyUid: ctStudy, seriesUid, patientName: 'Chest^Carl', patientId: 'VIEW-CT', studyDescription: 'Viewer CT chest',
      rows: 128, columns: 128, seriesNumber: 1, instanceNumber: i + 1,
      extra: { ImagePositionPatient: [0, 0, i * 2], ImageOrientationPatient: [1, 0, 0, 0, 1, 0], PixelSpacing: [1, 1], SliceThickness: 2 },
    }).bytes,
  );
  const j2k = await toJpeg2000(buildInstance({ patientName: 'Knee^Kate', patientId: 'VIEW-J2K', studyDescription: 'Viewer J2K knee', modality: 'CR', rows: 64, columns: 48 }));
  // The control: one value in every pixel, which the viewport must show as one flat colour.
  const flat = buildInstance({ patientName: 'Flat^Phantom', patientId: 'VIEW-FLAT', studyDescription: FLAT_STUDY, rows: 64, columns: 64, pixelData: Buffer.alloc(64 * 64 * 2, 0x08) });
  const body = multipartRelated([...ct, j2k.bytes, flat.bytes]);
  const stored = await http(`${server.httpUrl}/dicomweb/studies`, { method: 'POST', token: admin, headers: { 'content-type': body.contentType }, body: body.body });
  assert.equal(stored.status, 200, stored.body.toString());
  return { ctStudy, j2kStudy: j2k.studyUid };
}

/** The provider's login form (input name=username / name=password, button #login). */
async function signIn(page: Page, user: Credentials): Promise<void> {
  await page.waitForSelector('input[name=username]', { timeout: 30_000 });
  await page.type('input[name=username]', user.username);
  await page.type('input[name=password]', user.password);
  await Promise.all([page.waitForNavigation({ timeout: 30_000 }), page.click('#login')]);
}


/** Polls the page's text (navigations after the login reset the page under a single wait). */
async function seeStudyList(page: Page): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const text = await page.evaluate('document.body.innerText').catch(() => '');
    if (STUDIES.every((d) => String(text).includes(d))) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`the study list does not show ${STUDIES.join(' and ')}`);
}

/** As a user does: select the study in the list, launch the Basic Viewer (within the app: no reload). */
async function openStudy(page: Page, description: string, expectImage = true): Promise<void> {
  await seeStudyList(page);
  await dismissOverlays(page);
  const [row] = await page.$$(`xpath/.//td[contains(., "${description}")]`);
  assert.ok(row, `a row for ${description}`);
  await row.click();
  const launch = await page.waitForSelector('xpath/.//button[normalize-space(.)="Basic Viewer"]', { timeout: 10_000 });
  await launch!.click();
  await page.waitForSelector('canvas.cornerstone-canvas', { timeout: 30_000 });
  await dismissOverlays(page);
  // Every frame and metadata request has finished (before the failures are counted, and so that
  // OHIF's loading indicator, drawn over the viewport, is gone before the image is measured).
  // With 65 s tokens OHIF also renews every few seconds: on a busy machine a quiet second can take
  // longer to come than the 30 s of the other waits.
  await page.waitForNetworkIdle({ idleTime: 500, timeout: 60_000 });
  if (!expectImage) return;
  const stats = await waitForImage(page);
  assert.ok(stats.stddev > 5, JSON.stringify(stats));
}

/** A screenshot of a failed visit, for the one who reads the failure. */
async function keepScreenshot(page: Page): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'pacs-viewer-failure-'));
  const path = join(dir, 'page.png');
  await page.screenshot({ path }).catch(() => undefined);
  return path;
}

/** The whole visit of one radiologist, from opening the viewer to both studies shown. */
async function visit(browser: Browser, viewerBase: string, user: Credentials, stayUntil?: (watch: RequestWatch) => boolean): Promise<RequestWatch> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const watch = new RequestWatch(page);
  try {
    await page.goto(`${viewerBase}/viewer/`);
    await signIn(page, user);
    await openStudy(page, STUDIES[0]);
    await page.goBack();
    await openStudy(page, STUDIES[1]);
    // A visit can end before something the test waits for (a token renewal): the page stays open.
    const deadline = Date.now() + 30_000;
    while (stayUntil && !stayUntil(watch) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 250));
    return watch;
  } catch (err) {
    throw new Error(`${(err as Error).message} (at ${page.url()}; page saved to ${await keepScreenshot(page)}; failed requests: ${watch.failed.join(', ') || 'none'})`);
  } finally {
    await context.close();
  }
}

/** The images came from this server's WADO-RS: frames of both studies were retrieved. */
function assertFramesOf(watch: RequestWatch, server: TestServer, stored: Stored): void {
  for (const study of [stored.ctStudy, stored.j2kStudy]) {
    const frames = watch.succeeded.filter((url) => url.startsWith(`${server.httpUrl}/dicomweb/studies/${study}/`) && url.includes('/frames/'));
    assert.ok(frames.length > 0, `frames of study ${study} retrieved`);
  }
}

describe('OHIF in Chromium: sign in, study list, CT and JPEG 2000 images', () => {
  let browser: Browser;
  let origin: ViewerOrigin;
  let server: TestServer;
  let stored: Stored;

  before(async () => {
    origin = await startViewerOrigin();
    // Access tokens of 65 s: OHIF renews a token 60 s before it ends, about 5 s into a visit.
    server = await startTestServer({ env: { PACS_HTTP_CORS_ORIGINS: origin.origin, PACS_OIDC_ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS) } });
    origin.configure(`${server.httpUrl}/dicomweb`, { authority: `${server.httpUrl}/oidc`, clientId: 'pacs-viewer', scope: 'openid profile' });
    stored = await seed(server);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await origin?.close();
  });

  it('works with the bundled viewer at /viewer/ of the PACS, and no request fails', async () => {
    const watch = await visit(browser, server.httpUrl, USER);
    assert.deepEqual(watch.failed, []);
    assertFramesOf(watch, server, stored);
  });

  it('renews its short-lived token with the refresh token as it goes (and keeps working)', async () => {
    const watch = await visit(browser, server.httpUrl, USER, (w) => w.grants.includes('refresh_token'));
    assert.equal(watch.grants[0], 'authorization_code');
    assert.ok(watch.grants.slice(1).includes('refresh_token'), `grants: ${watch.grants.join(', ')}`);
    const tokenCalls = watch.succeeded.filter((url) => url === `${server.httpUrl}/oidc/token`);
    assert.equal(tokenCalls.length, watch.grants.length, 'every token request answered 2xx');
    assert.deepEqual(watch.failed, []);
  });

  it('signs out through the provider, ends on the signed-out page, and must sign in again', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    try {
      await page.goto(`${server.httpUrl}/viewer/`);
      await signIn(page, USER);
      await seeStudyList(page);
      // OHIF's logout route (its user menu's "Logout") sends the browser to the provider's end_session.
      await page.goto(`${server.httpUrl}/viewer/logout`);
      const confirm = await page.waitForSelector('#logout', { timeout: 30_000 });
      await Promise.all([page.waitForNavigation({ timeout: 30_000 }), confirm!.click()]);
      await page.waitForFunction(`location.pathname === '/viewer/logout-redirect.html'`, { timeout: 30_000 });
      assert.match(String(await page.evaluate('document.body.innerText')), /signed out/);
      await page.goto(`${server.httpUrl}/viewer/`);
      await page.waitForSelector('input[name=password]', { timeout: 30_000 });
    } finally {
      await context.close();
    }
  });

  it('sees a phantom of one value as a blank viewport (the image check can fail)', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    try {
      await page.goto(`${server.httpUrl}/viewer/`);
      await signIn(page, USER);
      await openStudy(page, FLAT_STUDY, false);
      await assert.rejects(waitForImage(page, 3_000), /stayed blank/);
    } finally {
      await context.close();
    }
  });

  it('works the same with OHIF served from another origin named in PACS_HTTP_CORS_ORIGINS', async () => {
    const watch = await visit(browser, origin.origin, USER);
    assert.deepEqual(watch.failed, []);
    assertFramesOf(watch, server, stored);
  });
});

describe('OHIF in Chromium with the hospital IdP (PACS_OIDC_*) instead of our provider', () => {
  let browser: Browser;
  let origin: ViewerOrigin;
  let idp: ExternalIdp;
  let server: TestServer;
  let stored: Stored;

  before(async () => {
    origin = await startViewerOrigin();
    // The IdP must know where the viewers come back to before the PACS (which must know the IdP) starts.
    const pacs = `http://127.0.0.1:${await freePort()}`;
    const viewers = [pacs, origin.origin];
    idp = await startExternalIdp({ redirectUris: viewers.flatMap((v) => [`${v}/viewer/callback`, `${v}/viewer/silent-refresh.html`]) });
    // No PACS_HTTP_CORS_ORIGINS: the other origin is not allowed.
    server = await startTestServer({ env: { PACS_HTTP_PORT: new URL(pacs).port, ...idp.pacsEnv, PACS_VIEWER_OIDC_CLIENT_ID: idp.clientId } });
    origin.configure(`${server.httpUrl}/dicomweb`, { authority: idp.issuer, clientId: idp.clientId, scope: 'openid profile' });
    stored = await seed(server);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.stop();
    await origin?.close();
  });

  it('the bundled viewer signs in at the IdP and works the same, by configuration alone', async () => {
    const watch = await visit(browser, server.httpUrl, IDP_USER);
    assert.deepEqual(watch.failed, []);
    assertFramesOf(watch, server, stored);
  });

  it('from an origin not in PACS_HTTP_CORS_ORIGINS, the browser blocks DICOMweb with a CORS error', async () => {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const watch = new RequestWatch(page);
    try {
      await page.goto(`${origin.origin}/viewer/`);
      await signIn(page, IDP_USER);
      const deadline = Date.now() + 30_000;
      while (!watch.consoleErrors.some((e) => /blocked by CORS policy/.test(e)) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 250));
      const blocked = watch.consoleErrors.filter((e) => /blocked by CORS policy/.test(e));
      assert.ok(blocked.some((e) => e.includes(`${server.httpUrl}/dicomweb/studies`)), watch.consoleErrors.join('\n'));
      assert.ok(watch.failed.some((f) => f.includes(`${server.httpUrl}/dicomweb/studies`)), watch.failed.join('\n'));
      const text = String(await page.evaluate('document.body.innerText'));
      assert.ok(!STUDIES.some((d) => text.includes(d)), 'no study is listed');
    } finally {
      await context.close();
    }
  });
});
