import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PUBLIC_EXTENSION } from '@pacs/auth';

export const OPENAPI_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs-json';

/**
 * Serves Swagger UI at /api/docs and the OpenAPI 3 document at /api/docs-json. Both are plain
 * Fastify routes, not Nest controllers, so the global JWT and permission guards never run for
 * them: the documentation is public without @Public(). The bearer scheme is declared here and
 * applied per controller with @ApiBearerAuth(); the token endpoint and /health carry none, and
 * /metrics its own scrape-token scheme.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('PACS HTTP API')
    .setDescription(
      'REST administration (/api) and DICOMweb (/dicomweb: QIDO-RS, WADO-RS, STOW-RS, PS3.18). ' +
        'Get a token with POST /api/auth/token and send it as `Authorization: Bearer <token>`. ' +
        'Errors are JSON: `{ error, message, correlationId }`.',
    )
    .setVersion(packageVersion())
    // Relative: the document is right for whatever address (or proxy) a client reached it at.
    .addServer('/', 'this server')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    // GET /metrics takes no user token but the static PACS_METRICS_TOKEN a Prometheus server keeps.
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'the value of PACS_METRICS_TOKEN' }, 'metrics-token')
    .build();
  // Built on first request, not at boot: start-up stays as fast as before.
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => withPublicRoutesOpen(SwaggerModule.createDocument(app, config)), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'PACS API',
  });
}

/**
 * @Public() operations (marked with PUBLIC_EXTENSION) that declare no scheme of their own get
 * `security: []`: OpenAPI's way to say a route takes no credentials (OAS 3.0 4.7.8 Operation
 * Object), where an operation without the field would leave a client to guess.
 */
function withPublicRoutesOpen(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      if (typeof operation === 'object' && operation && PUBLIC_EXTENSION in operation && !('security' in operation)) {
        (operation as { security?: unknown[] }).security = [];
      }
    }
  }
  return document;
}

/** The version in the package.json above this file (src, dist or the Docker image's /app). */
function packageVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? '0.0.0');
    if (dirname(dir) === dir) return '0.0.0';
  }
}
