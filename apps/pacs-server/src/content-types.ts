import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PacsConfig } from '@pacs/config';

/**
 * Fastify parses application/json only (GOTCHAS). multipart/related bodies (STOW-RS) are
 * left as the raw request stream for the handler to parse as it arrives; a single
 * application/dicom body is also streamed.
 */
export function registerContentTypes(app: NestFastifyApplication, _config: PacsConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const passThrough = (_req: unknown, payload: unknown, done: (err: Error | null, body?: unknown) => void) =>
    done(null, payload);
  fastify.addContentTypeParser(/^multipart\/related/i, passThrough);
  // Parameters are allowed (`application/dicom; transfer-syntax=...`, PS3.18 8.7.3.5); +json/+xml are not ours.
  fastify.addContentTypeParser(/^application\/dicom\s*(;|$)/i, passThrough);
}
