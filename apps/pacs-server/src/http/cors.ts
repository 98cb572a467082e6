import type { FastifyCorsOptions } from '@fastify/cors';

/**
 * CORS (the Fetch standard's cross-origin checks; PS3.18 leaves them to the web platform) for
 * browser viewers served from other origins: PACS_HTTP_CORS_ORIGINS, none by default. Requests
 * carry a bearer token, never cookies, so credentials stay off. A preflight (OPTIONS) is answered
 * 204 before authentication, on every route; responses expose the headers a viewer reads.
 */
export function corsOptions(origins: string[]): FastifyCorsOptions | undefined {
  if (origins.length === 0) return undefined;
  return {
    origin: origins.length === 1 && origins[0] === '*' ? '*' : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'If-None-Match', 'If-Match', 'If-Modified-Since', 'Range', 'Cache-Control', 'X-Requested-With'],
    exposedHeaders: ['Content-Type', 'Content-Length', 'Content-Location', 'Content-Range', 'ETag', 'Last-Modified', 'Location', 'Warning'],
    credentials: false,
    // Browsers cache a preflight this long (seconds): one per route and viewer session, not per request.
    maxAge: 600,
  };
}
