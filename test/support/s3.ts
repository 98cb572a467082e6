// The S3 pass of the suite (scripts/run-tests.mjs starts one radosgw and sets PACS_TEST_S3_ENDPOINT
// with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY): every test server then stores its blobs in a
// bucket of its own, named after its data directory, so a restart on the same data finds them.
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { filesBelow } from './files';

export const S3_ENDPOINT_ENV = 'PACS_TEST_S3_ENDPOINT';

function endpoint(): string | undefined {
  return process.env[S3_ENDPOINT_ENV] || undefined;
}

function client(): S3Client {
  return new S3Client({ endpoint: endpoint(), region: 'us-east-1', forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
}

/** The bucket of the server on this data directory. */
export function bucketFor(dataDir: string): string {
  return `pacs-${createHash('sha256').update(dataDir).digest('hex').slice(0, 20)}`;
}

/** What a server on `dataDir` needs to store in S3 in this pass (nothing in the filesystem pass); makes the bucket. */
export async function storageEnv(dataDir: string): Promise<Record<string, string>> {
  const url = endpoint();
  if (!url) return {};
  const bucket = bucketFor(dataDir);
  await client()
    .send(new CreateBucketCommand({ Bucket: bucket }))
    .catch((err: Error) => {
      if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
    });
  return s3StorageEnv(url, bucket, { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '' });
}

/** The settings of a server storing its blobs in `bucket` on a radosgw at `endpoint` (path-style addressing). */
export function s3StorageEnv(endpoint: string, bucket: string, keys: { accessKeyId: string; secretAccessKey: string }): Record<string, string> {
  return {
    PACS_STORAGE_BACKEND: 's3',
    PACS_S3_ENDPOINT: endpoint,
    PACS_S3_BUCKET: bucket,
    PACS_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
  };
}

/** How many blobs the server on `dataDir` holds: objects in its bucket, or files under <dataDir>/blobs. */
export async function countBlobs(dataDir: string): Promise<number> {
  if (!endpoint()) return filesBelow(join(dataDir, 'blobs')).length;
  const s3 = client();
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucketFor(dataDir), ContinuationToken: token }));
    count += page.KeyCount ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return count;
}

