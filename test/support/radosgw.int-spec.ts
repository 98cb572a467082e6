// What the PACS's S3 blob store relies on (issue 29), proven against a real radosgw (Debian's
// Ceph 16.2) with @aws-sdk/client-s3: streamed PUT and GET, ranges, integrity checks, multipart,
// listing and deletion. Failures and outages: radosgw-failures.int-spec.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Radosgw, startRadosgw } from './radosgw';
import { failureOf, s3ClientFor, setHeaderBeforeSigning } from './s3-client';

const BUCKET = 'pacs-blobs';
const MiB = 1024 * 1024;

describe('radosgw as the object store of the PACS', () => {
  let gw: Radosgw;
  let s3: S3Client;
  let dir: string;
  let instance: string; // a file the size of a CT slice
  let large: string; // above the multipart threshold
  const clients: S3Client[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pacs-s3-spec-'));
    instance = join(dir, 'instance.dcm');
    large = join(dir, 'large.dcm');
    writeFileSync(instance, randomBytes(600 * 1024));
    writeFileSync(large, randomBytes(12 * MiB + 12_345));
    gw = await startRadosgw();
    await gw.createBucket(BUCKET);
    s3 = client();
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function client(overrides: Parameters<typeof s3ClientFor>[1] = {}): S3Client {
    const c = s3ClientFor(gw, overrides);
    clients.push(c);
    return c;
  }

  const putFile = (c: S3Client, key: string, path: string, extra: { ContentMD5?: string } = {}) =>
    c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: createReadStream(path), ContentLength: statSync(path).size, ...extra }));

  async function getBytes(key: string, range?: string): Promise<Buffer> {
    const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range }));
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  const digest = (algorithm: string, data: Buffer | string, encoding: 'hex' | 'base64') =>
    createHash(algorithm).update(data).digest(encoding);

  it('starts a cluster in seconds', (t) => {
    t.diagnostic(`startRadosgw (memstore): ${gw.startupMs} ms`);
    assert.ok(gw.startupMs < 30_000, `start took ${gw.startupMs} ms`);
  });

  it('stores a file streamed with its length and gives it back byte-identical, and a range exactly', async () => {
    await putFile(s3, 'studies/1/instance', instance);
    const bytes = readFileSync(instance);
    assert.ok((await getBytes('studies/1/instance')).equals(bytes));
    assert.ok((await getBytes('studies/1/instance', 'bytes=1000-1999')).equals(bytes.subarray(1000, 2000)));
    assert.ok((await getBytes('studies/1/instance', `bytes=${bytes.length - 10}-`)).equals(bytes.subarray(-10)));
  });

  it('takes a few milliseconds per 600 KB PUT and per small ranged GET', async (t) => {
    const puts = await timed(20, (i) => putFile(s3, `latency/${i}`, instance));
    const gets = await timed(20, () => getBytes('latency/0', 'bytes=0-99'));
    t.diagnostic(`600 KB streamed PUT: median ${median(puts)} ms, max ${Math.max(...puts)} ms`);
    t.diagnostic(`100-byte ranged GET: median ${median(gets)} ms, max ${Math.max(...gets)} ms`);
    // ~40 ms each would mean Nagle is back (tcp_nodelay on the beast frontend, radosgw.ts).
    assert.ok(median(gets) < 30, `ranged GET median ${median(gets)} ms`);
  });

  it('stores a PUT signed over the SHA-256 of its body and refuses one whose body does not match', async () => {
    const bytes = readFileSync(instance);
    const signedOverBody = client();
    setHeaderBeforeSigning(signedOverBody, 'x-amz-content-sha256', digest('sha256', bytes, 'hex'));
    await putFile(signedOverBody, 'integrity/sha-good', instance);
    assert.ok((await getBytes('integrity/sha-good')).equals(bytes));

    const wrongDigest = client();
    setHeaderBeforeSigning(wrongDigest, 'x-amz-content-sha256', digest('sha256', 'other bytes', 'hex'));
    const failure = await failureOf(putFile(wrongDigest, 'integrity/sha-bad', instance));
    assert.deepEqual([failure.name, failure.status], ['XAmzContentSHA256Mismatch', 400]);
    assert.equal((await failureOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'integrity/sha-bad' })))).status, 404);
  });

  it('verifies Content-MD5: a wrong one is refused with BadDigest and nothing is stored', async () => {
    const bytes = readFileSync(instance);
    await putFile(s3, 'integrity/md5-good', instance, { ContentMD5: digest('md5', bytes, 'base64') });
    const failure = await failureOf(putFile(s3, 'integrity/md5-bad', instance, { ContentMD5: digest('md5', 'other', 'base64') }));
    assert.deepEqual([failure.name, failure.status], ['BadDigest', 400]);
    assert.equal((await failureOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'integrity/md5-bad' })))).status, 404);
  });

  it("refuses a streamed PUT with the SDK's default checksums (aws-chunked), takes a buffered one", async (t) => {
    const defaults = client({ requestChecksumCalculation: 'WHEN_SUPPORTED', responseChecksumValidation: 'WHEN_SUPPORTED' });
    const streamed = await failureOf(putFile(defaults, 'checksums/streamed', instance));
    assert.deepEqual([streamed.name, streamed.status], ['MissingContentLength', 411]);
    const bytes = readFileSync(instance);
    await defaults.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'checksums/buffered', Body: bytes }));
    assert.ok((await getBytes('checksums/buffered')).equals(bytes));
    // Is the CRC32 header of a buffered PUT checked at all? A wrong one tells.
    const tampered = client({ requestChecksumCalculation: 'WHEN_SUPPORTED' });
    setHeaderBeforeSigning(tampered, 'x-amz-checksum-crc32', 'AAAAAA==');
    const outcome = await tampered.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'checksums/crc-wrong', Body: bytes })).then(
      () => 'stored (not verified)',
      (err: Error) => `refused (${err.name})`,
    );
    t.diagnostic(`buffered PUT with a wrong x-amz-checksum-crc32: ${outcome}`);
  });

  it('completes a 12 MiB multipart upload in 5 MiB parts and reads it back identical', async (t) => {
    const started = Date.now();
    const upload = new Upload({
      client: s3,
      params: { Bucket: BUCKET, Key: 'multipart/large', Body: createReadStream(large) },
      partSize: 5 * MiB,
      queueSize: 2,
    });
    const done = await upload.done();
    t.diagnostic(`Upload of 12 MiB: ${Date.now() - started} ms; ETag on completion: ${JSON.stringify(done.ETag)}`);
    // radosgw 16.2 answers CompleteMultipartUpload with an empty ETag; HeadObject has the real one.
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'multipart/large' }));
    assert.match(head.ETag ?? '', /^"[0-9a-f]{32}-3"$/);
    assert.equal(head.ContentLength, readFileSync(large).length);
    assert.equal(digest('sha256', await getBytes('multipart/large'), 'hex'), digest('sha256', readFileSync(large), 'hex'));
  });

  it('answers HeadObject of a missing key with NotFound and GetObject with NoSuchKey, both 404', async () => {
    const head = await failureOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing' })));
    assert.deepEqual([head.name, head.status], ['NotFound', 404]);
    const get = await failureOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing' })));
    assert.deepEqual([get.name, get.status], ['NoSuchKey', 404]);
  });

  it('lists the keys under a prefix page by page with continuation tokens', async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `list/series-a/${i}`);
    for (const key of [...keys, 'list/series-b/0', 'listing-not-under-prefix']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    }
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/series-a/', MaxKeys: 3, ContinuationToken: token }));
      pages.push((page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    assert.deepEqual(pages.map((p) => p.length), [3, 3, 1]);
    assert.deepEqual(pages.flat(), [...keys].sort());
  });

  it('deletes one object, several at once, and a missing key without error', async () => {
    const keys = ['delete/0', 'delete/1', 'delete/2'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'delete/0' }));
    const many = await s3.send(new DeleteObjectsCommand({
      Bucket: BUCKET,
      Delete: { Objects: [{ Key: 'delete/1' }, { Key: 'delete/2' }, { Key: 'delete/never-stored' }] },
    }));
    assert.deepEqual((many.Deleted ?? []).map((d) => d.Key).sort(), ['delete/1', 'delete/2', 'delete/never-stored']);
    assert.deepEqual(many.Errors ?? [], []);
    const missing = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'delete/never-stored' }));
    assert.equal(missing.$metadata.httpStatusCode, 204);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'delete/' }));
    assert.equal(left.KeyCount, 0);
  });
});

async function timed(n: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = process.hrtime.bigint();
    await call(i);
    times.push(Number((process.hrtime.bigint() - started) / 1000n) / 1000);
  }
  return times;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10;
}

describe('radosgw on bluestore (persistent)', () => {
  it('starts, stores, and keeps an object across a gateway restart', async (t) => {
    const gw = await startRadosgw({ persistent: true });
    const s3 = s3ClientFor(gw);
    try {
      t.diagnostic(`startRadosgw (bluestore): ${gw.startupMs} ms`);
      await gw.createBucket(BUCKET);
      const bytes = randomBytes(600 * 1024);
      const puts = await timed(10, (i) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `kept/${i}`, Body: bytes })));
      t.diagnostic(`600 KB PUT on bluestore: median ${median(puts)} ms`);
      await gw.stopGateway();
      await gw.startGateway();
      const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kept/9' }));
      assert.ok(Buffer.from(await res.Body!.transformToByteArray()).equals(bytes));
    } finally {
      s3.destroy();
      await gw.stop();
    }
  });
});
