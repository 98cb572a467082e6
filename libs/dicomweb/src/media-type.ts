import { defaultSyntaxOf } from './frame-media-types';

/** A media type or media range with lower-cased type and parameter names (RFC 9110 8.3.1, 12.5.1). */
export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Parses one media type: `multipart/related; type="application/dicom"; boundary=x`. */
export function parseMediaType(header: string): MediaType {
  const [type, ...rest] = splitOutsideQuotes(header, ';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    params[param.slice(0, eq).trim().toLowerCase()] = unquote(param.slice(eq + 1).trim());
  }
  return { type: type.trim().toLowerCase(), params };
}

/**
 * Parses an Accept header into media ranges, best first (by q, then in header order);
 * ranges with q=0 are dropped. An absent header means any type.
 */
export function parseAccept(header: string | undefined): MediaType[] {
  if (!header || header.trim() === '') return [{ type: '*/*', params: {} }];
  return splitOutsideQuotes(header, ',')
    .map((range, order) => ({ range: parseMediaType(range), order }))
    .map(({ range, order }) => ({ range, order, q: qualityOf(range) }))
    .filter(({ range, q }) => range.type !== '' && q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map(({ range }) => range);
}

/**
 * Stands for `transfer-syntax=*` ("as stored", PS3.18 8.7.3.5.2) while negotiating: the
 * `negotiator` package takes a `*` parameter value as a wildcard that any offered syntax
 * matches, which would let `*` pick a transcoded offer.
 */
export const AS_STORED = 'as-stored';

/**
 * Rewrites the transfer-syntax of each Accept range for negotiation: `*` becomes AS_STORED, and a
 * range whose media type (or multipart `type`) has a default transfer syntax but names none gets
 * that default (PS3.18 8.7.3.5.2: Explicit VR Little Endian for application/dicom and
 * application/octet-stream). Other ranges (any type, multipart/related alone) are left open.
 */
export function withTransferSyntaxDefaults(accept: string | undefined): string | undefined {
  if (!accept) return accept;
  return splitOutsideQuotes(accept, ',')
    .map((range) => {
      const given = /;\s*transfer-syntax\s*=\s*"?([^";,\s]*)"?/i.exec(range);
      if (given) return given[1] === '*' ? range.replace(given[0], `; transfer-syntax=${AS_STORED}`) : range;
      const { type, params } = parseMediaType(range);
      const syntax = defaultSyntaxOf(params.type ?? type);
      return syntax ? `${range}; transfer-syntax=${syntax}` : range;
    })
    .join(',');
}

function qualityOf(range: MediaType): number {
  const q = range.params.q === undefined ? 1 : Number(range.params.q);
  return Number.isFinite(q) ? q : 0;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}

/** Splits on `separator` except inside double quotes (a quoted `type` may hold `;` or `,`). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === separator && !quoted) {
      pieces.push(text.slice(start, i));
      start = i + 1;
    }
  }
  pieces.push(text.slice(start));
  return pieces;
}
