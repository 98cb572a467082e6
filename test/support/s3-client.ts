// S3 clients and failure capture for the specs that run against radosgw (radosgw.ts).
import { S3Client, S3ClientConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { FinalizeRequestMiddleware } from '@smithy/types'; // types only: client-s3's own dependency
import type { Radosgw } from './radosgw';

/**
 * A path-style client with the gateway's keys. Flexible checksums only when an operation needs
 * them: the SDK's default (CRC32 in an aws-chunked body) is refused by radosgw 16.2 for streams.
 */
export function s3ClientFor(gw: Radosgw, overrides: S3ClientConfig = {}): S3Client {
  return new S3Client({
    endpoint: gw.endpoint,
    region: gw.region,
    forcePathStyle: true,
    credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: gw.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...overrides,
  });
}

/**
 * Sets a header on every request just before SigV4 signs it. For `x-amz-content-sha256` the
 * signer then signs over that value instead of UNSIGNED-PAYLOAD, and the server checks the body
 * against it: the integrity check of a streamed PUT whose digest was computed beforehand.
 */
export function setHeaderBeforeSigning(client: S3Client, name: string, value: string): void {
  const setHeader: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
    const request = args.request as { headers?: Record<string, string> };
    if (request.headers) request.headers[name] = value;
    return next(args);
  };
  // Relative to the signer, whatever step the SDK's own header middlewares run in.
  client.middlewareStack.addRelativeTo(setHeader, { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: `set-${name}`, override: true });
}

/** How an S3 call failed, as the PACS would see it. */
export interface Failure {
  /** The S3 error code (`NoSuchKey`), `NotFound`/`Unknown` for bodiless HEAD answers, or `Error`. */
  name: string;
  status?: number;
  /** Node's errno code for network failures (`ECONNREFUSED`), `ETIMEDOUT` for request timeouts. */
  code?: string;
  attempts?: number;
  ms: number;
}

/** Awaits a call that must fail and describes the failure; fails the test if it succeeds. */
export async function failureOf(call: Promise<unknown>): Promise<Failure> {
  const started = Date.now();
  try {
    await call;
  } catch (err) {
    const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, code: e.code, attempts: e.$metadata?.attempts, ms: Date.now() - started };
  }
  throw new Error('the S3 call succeeded where a failure was expected');
}
