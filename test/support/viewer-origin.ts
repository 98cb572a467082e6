// The same OHIF build served from another origin, as a hospital would host it apart from the
// PACS: a tiny static server on its own loopback port serving dist/viewer under /viewer/, with an
// app-config.js naming the PACS's DICOMweb root and an OpenID issuer.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { appConfigScript, ohifConfig, ViewerLogin } from '@pacs/viewer';
import { repoRoot } from './server';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.woff2': 'font/woff2', '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.xml': 'application/xml',
};

export interface ViewerOrigin {
  /** http://127.0.0.1:<port>: what the browser sends as Origin. */
  origin: string;
  /** Points the viewer at a PACS (its DICOMweb root) and an OpenID issuer (none: no login); `extra` goes into window.config. */
  configure(dicomwebRoot: string, login: ViewerLogin | null, extra?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** Started before the PACS, whose PACS_HTTP_CORS_ORIGINS names this origin. */
export async function startViewerOrigin(): Promise<ViewerOrigin> {
  const files = resolve(repoRoot(), process.env.PACS_TEST_DIST ?? 'dist', 'viewer');
  let appConfig = '';
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith('/viewer/')) return void res.writeHead(404).end();
    const rest = normalize(path.slice('/viewer/'.length));
    if (rest === 'app-config.js') return void res.writeHead(200, { 'content-type': TYPES['.js'] }).end(appConfig);
    // Routes of the app (no extension) are index.html, as any SPA host is set up.
    const file = join(files, extname(rest) ? rest : 'index.html');
    if (rest.startsWith('..') || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    configure: (dicomwebRoot, login, extra = {}) => (appConfig = appConfigScript({ ...ohifConfig(dicomwebRoot, login), ...extra })),
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}
