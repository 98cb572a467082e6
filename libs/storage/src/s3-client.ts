import type { S3ClientConfig } from '@aws-sdk/client-s3';

export type S3Operation = 'put' | 'get' | 'head' | 'delete' | 'list';

/** PACS_S3_* (README, "Storage on S3"). */
export interface S3Settings {
  bucket: string;
  prefix: string | null;
  endpoint: string | null;
  region: string;
  forcePathStyle: boolean;
}

/** A connection that sends or receives nothing this long is given up: a hung store fails a store. */
export const S3_IDLE_TIMEOUT_MS = 30_000;

/**
 * Credentials come from the SDK's default chain. Checksums only where an operation requires
 * one: with the SDK's default flexible checksums a streamed PUT is refused by S3-compatible
 * servers that predate them (Ceph 16.2: 411 MissingContentLength), which also ignore a wrong
 * CRC32; integrity is the signed SHA-256 instead (withPayloadHash). An endpoint that is down
 * fails at once (connection refused); one that hangs fails after `idleTimeoutMs` without a
 * byte (`requestTimeout` would also cut a long GET streamed to a slow viewer, and only logs
 * unless told to throw). The default matches PACS_HTTP_IDLE_TIMEOUT_MS.
 */
export function s3ClientConfig(s: S3Settings, idleTimeoutMs = S3_IDLE_TIMEOUT_MS): S3ClientConfig {
  return {
    region: s.region,
    endpoint: s.endpoint ?? undefined,
    forcePathStyle: s.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 3000, socketTimeout: idleTimeoutMs },
  };
}

interface MiddlewareCommand {
  middlewareStack: {
    add(middleware: (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => Promise<unknown>, options: { step: 'build' }): void;
  };
}

/**
 * Signs the request with the SHA-256 of its body (SigV4 `x-amz-content-sha256`, which the
 * signer takes as given): the server recomputes it and refuses the PUT when the bytes it got
 * differ (XAmzContentSHA256Mismatch), so an acknowledged instance is the bytes received.
 */
export function withPayloadHash<C extends object>(command: C, sha256Hex: string): C {
  (command as unknown as MiddlewareCommand).middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256Hex;
      return next(args);
    },
    { step: 'build' },
  );
  return command;
}

/** An S3 failure as an Error whose message names the setting to look at; `code` ENOENT for a missing object. */
export class StorageError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** `target`: what a 404 means, the bucket (HeadBucket) or the object asked for. */
export function storageError(err: unknown, s: S3Settings, target: 'bucket' | 'object'): StorageError {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const detail = `${e.name ?? e.code ?? 'Error'}: ${e.message ?? String(err)}`;
  if (e.name === 'NoSuchKey' || (target === 'object' && status === 404 && e.name !== 'NoSuchBucket')) return new StorageError(`object not found (${detail})`, 'ENOENT');
  if (status === 404) {
    return new StorageError(`PACS_S3_BUCKET: bucket ${s.bucket} does not exist at ${where(s)} (${detail})`, 'no-bucket');
  }
  if (status === 403 || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch' || e.name === 'AccessDenied') {
    return new StorageError(`S3 credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or profile) refused for bucket ${s.bucket} at ${where(s)} (${detail})`, 'access-denied');
  }
  if (status === undefined) return new StorageError(`PACS_S3_ENDPOINT: cannot reach ${where(s)} (${detail})`, 'unreachable');
  return new StorageError(`S3 ${where(s)} answered ${status} (${detail})`, 's3-error');
}

function where(s: S3Settings): string {
  return s.endpoint ?? `AWS S3 (${s.region})`;
}
