import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * C0 controls and DEL. No path or query value of this API has a use for them (DICOM allows some
 * only in free-text VRs, which are not matching keys), and PostgreSQL text cannot hold NUL
 * (GOTCHAS): refused here, once for every route, they never reach a query.
 */
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

/**
 * Checks every request once routed, before its body: the Host header (RFC 9112 3.2: an HTTP/1.1
 * request without one gets 400; answered here rather than by Node, whose 400 has no body), and
 * control characters in the decoded path parameters and query. Throws a 400 naming the problem.
 */
export function checkRequest(request: FastifyRequest): void {
  const raw = request.raw;
  if (raw.httpVersionMajor === 1 && raw.httpVersionMinor >= 1 && raw.headers.host === undefined) {
    throw badRequest('an HTTP/1.1 request needs a Host header (RFC 9112 3.2)');
  }
  check('path parameter', request.params);
  check('query parameter', request.query);
}

function check(kind: string, values: unknown): void {
  for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
    const texts = [name, ...(Array.isArray(value) ? value : [value])].filter((v): v is string => typeof v === 'string');
    const bad = texts.find((text) => CONTROL_CHARACTER.test(text));
    if (bad === undefined) continue;
    const code = bad.charCodeAt(bad.search(CONTROL_CHARACTER)).toString(16).toUpperCase().padStart(4, '0');
    throw badRequest(`${kind} ${JSON.stringify(name)} contains a control character (U+${code})`);
  }
}

function badRequest(message: string): BadRequestException {
  return new BadRequestException({ error: 'bad-request', message });
}
