import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PacsConfig } from '@pacs/config';
import { appConfigScript, ohifConfig, SIGNED_OUT_PAGE, VIEWER_ROUTE, viewerLogin } from './app-config';

/** dist/viewer, beside the compiled apps and libs (scripts/build.sh puts it there). */
const VIEWER_FILES = resolve(__dirname, '..', '..', '..', 'viewer');

/** Webpack output named by content hash (`2493.bundle.c4af70e46357151f.js`, `5130ccb17e3f3f5b.wasm`). */
const CONTENT_HASHED = /(^|\.)[0-9a-f]{16}\.[a-z0-9]+$/;

/**
 * The bundled OHIF viewer at /viewer/ (PACS_VIEWER): its static files, app-config.js generated
 * per request from our configuration, and index.html for every viewer route (the app routes in
 * the browser: /viewer/viewer?StudyInstanceUIDs=…, /viewer/callback). Public like any web page:
 * the data it shows comes from DICOMweb, with the token it obtains by logging in.
 * Fastify routes rather than a controller: files are not API operations (no OpenAPI, no audit).
 */
@Injectable()
export class ViewerRoutes implements OnModuleInit {
  private readonly logger = new Logger('Viewer');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: PacsConfig,
  ) {}

  onModuleInit(): void {
    // Absent in an application context without HTTP (integration specs, the CLI).
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify?.register || this.config.viewer.mode === 'off') return;
    const installed = existsSync(join(VIEWER_FILES, 'index.html'));
    if (!installed) this.logger.warn(`the bundled viewer is not installed (${VIEWER_FILES}): run npm run build; /viewer/ answers 404`);
    // An encapsulated plugin: reply.sendFile is decorated here only.
    void fastify.register(async (scope) => {
      // preCompressed: the .gz files scripts/fetch-viewer.mjs made, to browsers that accept gzip.
      await scope.register(fastifyStatic, { root: VIEWER_FILES, serve: false, preCompressed: true });
      scope.get(VIEWER_ROUTE, (_request, reply) => reply.redirect(`${VIEWER_ROUTE}/`, 301));
      scope.get(`${VIEWER_ROUTE}/*`, (request, reply) => (installed ? this.serve(request, reply) : notInstalled(reply)));
    });
  }

  private serve(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = (request.params as { '*': string })['*'];
    if (path === 'app-config.js') return this.appConfig(request, reply);
    if (path === SIGNED_OUT_PAGE) return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(SIGNED_OUT_HTML);
    const name = path.split('/').pop() ?? '';
    // A last segment without an extension is a route of the app, not a file.
    if (!name.includes('.')) return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    if (CONTENT_HASHED.test(name)) return reply.sendFile(path, { maxAge: '365d', immutable: true });
    // index.html and unhashed files: revalidated (ETag, Last-Modified) on every use.
    return reply.header('cache-control', 'no-cache').sendFile(path, { cacheControl: false });
  }

  private appConfig(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    // The origin the browser used (X-Forwarded-Proto/-Host from PACS_HTTP_TRUSTED_PROXIES).
    const origin = `${request.protocol}://${request.host}`;
    const script = appConfigScript(ohifConfig(`${origin}/dicomweb`, viewerLogin(this.config, origin)));
    return reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-store').send(script);
  }
}

const SIGNED_OUT_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head>
<body><p>You are signed out of the viewer.</p><p><a href="${VIEWER_ROUTE}/">Sign in again</a></p></body></html>
`;

function notInstalled(reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ error: 'not-found', message: 'the bundled viewer is not installed on this server (npm run build fetches it)' });
}
