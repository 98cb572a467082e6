// HTTP helpers for end-to-end tests: authenticated requests and multipart/related bodies.
import { randomUUID } from 'node:crypto';

export interface HttpResult {
  status: number;
  headers: Headers;
  body: Buffer;
  json<T = any>(): T;
}

export async function http(
  url: string,
  opts: { method?: string; token?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.body });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) };
}

/** A multipart/related body with one application/dicom part per buffer (PS3.18 8.6.1.2). */
export function multipartRelated(parts: Buffer[], partType = 'application/dicom'): { body: Buffer; contentType: string } {
  const boundary = `test-${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${partType}\r\n\r\n`), part, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/related; type="${partType}"; boundary=${boundary}` };
}

/** Splits a multipart response body into its parts' bodies. */
export function parseMultipart(body: Buffer, contentType: string): { headers: string; body: Buffer }[] {
  const match = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!match) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${match[1]}`);
  const parts: { headers: string; body: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(delimiter, headerEnd);
    if (headerEnd < 0 || next < 0) throw new Error('truncated multipart body');
    parts.push({ headers: body.subarray(start + 2, headerEnd).toString(), body: body.subarray(headerEnd + 4, next - 2) });
    at = next;
  }
  return parts;
}

/** First value of a DICOM JSON attribute. */
export function value(dataset: Record<string, { Value?: unknown[] }>, tag: string): unknown {
  return dataset[tag]?.Value?.[0];
}
