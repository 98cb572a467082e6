// Puts the bundled OHIF viewer (the published @ohif/app build, pinned below) into DEST (default
// dist/viewer), prepared to be served under /viewer/. Run by scripts/build.sh, so `npm install &&
// npm start` (and the Docker build) get it with nothing else. It is not a package.json dependency:
// `npm i @ohif/app` fails on transitive packages missing from the registry, while `npm pack`
// fetches the one tarball, whose dist/ is the whole app.
// The tarball is checked against the registry's sha512 recorded here, extracted and prepared once
// into .cache/ (gitignored); DEST is then hard-linked from it. A no-op when both are current.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@ohif/app';
const VERSION = '3.13.2';
/** `npm view @ohif/app@3.13.2 dist.integrity` */
const INTEGRITY = 'sha512-WZdxmpmG7rqFgW9ZJLcbgr3XCtLi1KDNPoMaeY5PPe6j4G4fjEjjkycZM6C6Zk2F87BKxFfpq+jd5xXZB9E8EA==';
/** Where the server serves it (libs/viewer VIEWER_ROUTE): the build assumes `/`. */
const BASE = '/viewer/';
const MARKER = '.ohif-integrity';
/** What the marker holds: the tarball, and the version of the preparation (rebase, compress). */
const PREPARED = `${INTEGRITY} prepared-4`;
/** Served gzip-encoded to browsers that accept it (@fastify/static preCompressed): 17 MB of app script is 4 MB. */
const COMPRESSIBLE = /\.(js|css|html|json|wasm|svg|xml)$/;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', `ohif-app-${VERSION}`);
const dest = resolve(root, process.argv[2] ?? 'dist/viewer');

const current = (dir) => existsSync(join(dir, MARKER)) && readFileSync(join(dir, MARKER), 'utf8') === PREPARED;

if (!current(cache)) prepareCache();
if (!current(dest)) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dirname(dest), { recursive: true });
  copyTree(cache, dest);
  console.log(`viewer: OHIF ${VERSION} in ${dest}`);
}

function prepareCache() {
  const work = `${cache}.partial`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  console.log(`viewer: fetching ${PACKAGE}@${VERSION} (about 50 MB, once)`);
  execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--pack-destination', work, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = join(work, readdirSync(work).find((name) => name.endsWith('.tgz')));
  const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (actual !== INTEGRITY) throw new Error(`${PACKAGE}@${VERSION}: integrity ${actual} is not the pinned ${INTEGRITY}`);
  execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/dist']);
  const app = join(work, 'package', 'dist');
  rebase(app);
  compress(app);
  writeFileSync(join(app, MARKER), PREPARED);
  rmSync(cache, { recursive: true, force: true });
  renameSync(app, cache);
  rmSync(work, { recursive: true, force: true });
}

/**
 * The build's public path is `/`: index.html links `/app.bundle…` and sets window.PUBLIC_URL
 * (OHIF's router base and asset root), and each webpack runtime loads its chunks from
 * `__webpack_require__.p`; style sheets load fonts from `/`, the manifest names icons under
 * `/assets/`. All become BASE. The app's own settings (routerBasename, data sources,
 * oidc) come from app-config.js, which the server generates per request.
 */
function rebase(app) {
  const index = join(app, 'index.html');
  const html = readFileSync(index, 'utf8')
    .replaceAll('window.PUBLIC_URL="/"', `window.PUBLIC_URL="${BASE}"`)
    .replace(/(href|src|content)="\/(?!\/)/g, `$1="${BASE}`);
  writeFileSync(index, html);
  // The web app manifest's and the tile configurations' icons.
  for (const file of ['manifest.json', 'assets/browserconfig.xml', 'assets/yandex-browser-manifest.json'].map((f) => join(app, f))) {
    if (existsSync(file)) writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"/assets/', `"${BASE}assets/`));
  }
  for (const name of readdirSync(app).filter((n) => n.endsWith('.js') || n.endsWith('.css'))) {
    const file = join(app, name);
    const code = readFileSync(file, 'utf8');
    const rebased = code.replaceAll('__webpack_require__.p = "/";', `__webpack_require__.p = "${BASE}";`).replace(/url\(\/(?!\/)/g, `url(${BASE}`);
    if (rebased !== code) writeFileSync(file, rebased);
  }
}

/** A `.gz` beside each compressible file of 1 KB or more, once, at build time rather than per request. */
function compress(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) compress(file);
    else if (COMPRESSIBLE.test(entry.name) && statSync(file).size >= 1024) writeFileSync(`${file}.gz`, gzipSync(readFileSync(file)));
  }
}

/** Hard links where the file system allows (no second copy of ~200 MB), else a copy. */
function copyTree(from, to) {
  try {
    execFileSync('cp', ['-al', from, to], { stdio: 'ignore' });
  } catch {
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
  }
}
