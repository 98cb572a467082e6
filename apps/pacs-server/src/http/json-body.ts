import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isPublicRoute } from '@pacs/auth';
import { isStorableText } from '@pacs/database';

/**
 * Deepest nesting of arrays and objects a JSON body may have. The deepest bodies this API takes
 * (DICOM JSON with sequences, three levels per sequence) stay far below it; far deeper ones
 * only exhaust the stack of whatever walks them recursively (validation, logging).
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/**
 * Nesting depth of JSON text, counted in one pass over the bytes without parsing (brackets
 * inside strings do not count; UTF-8 continuation bytes never look like ASCII). Stops at the
 * first level beyond `max`, so the answer is at most max + 1.
 */
export function jsonDepth(body: Uint8Array, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (OPENERS.has(byte)) {
      depth++;
      if (depth > max) return depth;
      deepest = Math.max(deepest, depth);
    } else if (CLOSERS.has(byte)) {
      depth--;
    }
  }
  return deepest;
}

type Done = (err: Error | null, body?: unknown) => void;
type JsonParser<Body> = (request: FastifyRequest, body: Body, done: Done) => void;

/**
 * The path (e.g. `patient.name`) of the first string, key or value, that PostgreSQL cannot hold
 * (NUL, an unpaired surrogate: GOTCHAS); undefined when there is none. Bounded by MAX_JSON_DEPTH.
 */
export function unstorableTextAt(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path || '(the body)';
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (!isStorableText(key)) return at;
    const found = unstorableTextAt(child, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Fastify's own JSON parser (prototype-poisoning checks included), behind the depth check; a
 * body with text no column can hold is refused here, once for every route, before a handler
 * could write it to the database. Public routes (the login) check their own text, so that a
 * refused login is still audited as an attempt.
 */
export function depthLimitedJsonParser(parse: JsonParser<string>): JsonParser<Buffer> {
  return (request, body, done) => {
    if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(new BadRequestException({ error: 'bad-request', message: `the JSON body is nested more than ${MAX_JSON_DEPTH} levels deep` }));
      return;
    }
    parse(request, body.toString('utf8'), (err, parsed) => {
      const at = err || isPublicRoute(request) ? undefined : unstorableTextAt(parsed);
      if (at === undefined) return done(err, parsed);
      done(new BadRequestException({ error: 'bad-request', message: `${at} holds a NUL (U+0000) or an unpaired surrogate, which no text field can take` }));
    });
  };
}
