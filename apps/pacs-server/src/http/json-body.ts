import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

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

/** Fastify's own JSON parser (prototype-poisoning checks included), behind the depth check. */
export function depthLimitedJsonParser(parse: JsonParser<string>): JsonParser<Buffer> {
  return (request, body, done) => {
    if (jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(new BadRequestException({ error: 'bad-request', message: `the JSON body is nested more than ${MAX_JSON_DEPTH} levels deep` }));
      return;
    }
    parse(request, body.toString('utf8'), done);
  };
}
