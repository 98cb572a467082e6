import { PayloadTooLargeException } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { PacsConfig } from '@pacs/config';
import { depthLimitedJsonParser } from './http/json-body';

type Done = (err: Error | null, body?: unknown) => void;

/**
 * Request bodies by content type, each with its limit checked against the declared
 * Content-Length before a byte is read (413; Fastify then closes the connection rather than
 * read the rest). JSON (REST) is parsed by Fastify within PACS_HTTP_BODY_LIMIT, refused past
 * MAX_JSON_DEPTH levels. multipart/related bodies (STOW-RS) are left as the raw request stream
 * for the handler to parse as it arrives, and so is a single application/dicom body.
 */
export function registerContentTypes(app: NestFastifyApplication, config: PacsConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  app.useBodyParser('application/json', { bodyLimit: config.http.bodyLimit }, depthLimitedJsonParser(fastify.getDefaultJsonParser('error', 'error')));
  fastify.addContentTypeParser(/^multipart\/related/i, streamed(config.http.stowBodyLimit, 'PACS_HTTP_STOW_BODY_LIMIT'));
  // Parameters are allowed (`application/dicom; transfer-syntax=...`, PS3.18 8.7.3.5); +json/+xml are not ours.
  fastify.addContentTypeParser(/^application\/dicom\s*(;|$)/i, streamed(config.ingest.maxInstanceBytes, 'PACS_MAX_INSTANCE_BYTES'));
}

/** Hands the request stream on untouched, unless its declared length is already too much. */
function streamed(limit: number, setting: string) {
  return (request: FastifyRequest, payload: unknown, done: Done) => {
    const declared = Number(request.headers['content-length']);
    if (declared > limit) {
      const message = `the request declares ${request.headers['content-length']} bytes; at most ${limit} are accepted (${setting})`;
      done(new PayloadTooLargeException({ error: 'payload-too-large', message }));
      return;
    }
    done(null, payload);
  };
}
