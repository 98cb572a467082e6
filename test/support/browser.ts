// Debian's chromium (installed by scripts/ensure-test-deps.sh; nothing downloaded) driven by
// puppeteer-core, for the browser viewer specs: launch, watch every request the page makes, and
// measure whether a viewport shows an image.
import { existsSync } from 'node:fs';
import puppeteer, { Browser, ElementHandle, Page } from 'puppeteer-core';
import sharp from 'sharp';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium; WebGL (OHIF's Cornerstone3D) through SwiftShader, as on a machine without a GPU. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-test-deps.sh (apt-get install chromium)`);
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...rootArgs, '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--window-size=1280,900', ...extraArgs],
    defaultViewport: { width: 1280, height: 900 },
  });
}

/** Every answer >= 400 and every request that failed (network, CORS), and console errors, of one page. */
export class RequestWatch {
  readonly failed: string[] = [];
  readonly consoleErrors: string[] = [];
  /** URLs answered 2xx. */
  readonly succeeded: string[] = [];
  /** The grant_type of each token request (OAuth 2.0 token endpoint form posts). */
  readonly grants: string[] = [];

  constructor(page: Page) {
    page.on('request', (req) => {
      const grant = req.method() === 'POST' ? new URLSearchParams(req.postData() ?? '').get('grant_type') : null;
      if (grant) this.grants.push(grant);
    });
    page.on('response', (res) => {
      // The browser's own request for a page's icon (the IdP's login page has none) is not the viewer's.
      if (new URL(res.url()).pathname === '/favicon.ico') return;
      if (res.status() >= 400) this.failed.push(`${res.status()} ${res.request().method()} ${res.url()}`);
      else if (res.status() < 300) this.succeeded.push(res.url());
    });
    page.on('requestfailed', (req) => this.failed.push(`${req.failure()?.errorText ?? 'failed'} ${req.method()} ${req.url()}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.consoleErrors.push(msg.text());
    });
  }
}

export interface PixelStats {
  mean: number;
  stddev: number;
  /** Distinct grey levels (of 256). */
  levels: number;
}

/**
 * Statistics of the middle of an element as the page shows it (a screenshot, so a WebGL canvas
 * counts as composited). The middle: the corners carry text overlays and OHIF's banners.
 */
export async function middleStats(page: Page, element: ElementHandle): Promise<PixelStats | null> {
  const box = await element.boundingBox();
  if (!box) return null;
  const clip = { x: box.x + box.width * 0.3, y: box.y + box.height * 0.3, width: box.width * 0.4, height: box.height * 0.4 };
  const png = await page.screenshot({ clip, type: 'png' });
  const { data } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  let squares = 0;
  const seen = new Set<number>();
  for (const v of data) {
    sum += v;
    squares += v * v;
    seen.add(v);
  }
  const mean = sum / data.length;
  return { mean, stddev: Math.sqrt(squares / data.length - mean * mean), levels: seen.size };
}

/** Polls until the page's viewport canvas shows an image (not one flat colour), or throws after `timeoutMs`. */
export async function waitForImage(page: Page, timeoutMs = 30_000): Promise<PixelStats> {
  const deadline = Date.now() + timeoutMs;
  let last: PixelStats | undefined;
  while (Date.now() < deadline) {
    const canvas = await page.$('canvas.cornerstone-canvas');
    // The canvas may be replaced while it is measured (the layout settling): measure again.
    const stats = canvas ? await middleStats(page, canvas).catch(() => null) : null;
    if (stats) {
      last = stats;
      if (stats.stddev > 5 && stats.levels > 16) return stats;
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`the viewport stayed blank: ${JSON.stringify(last ?? 'no canvas')}`);
}

/** Closes what OHIF lays over the page on a first visit (its tour, its investigational-use notice), as a user does. */
export async function dismissOverlays(page: Page): Promise<void> {
  for (const label of ['Skip all', 'Confirm and hide']) {
    for (const button of await page.$$(`xpath/.//button[normalize-space(.)="${label}"]`)) await button.click().catch(() => undefined);
  }
}
