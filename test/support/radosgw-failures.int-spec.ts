// The S3 failures the PACS must map (issue 29), as a real radosgw (Ceph 16.2) and
// @aws-sdk/client-s3 produce them: at start-up (missing bucket, wrong keys, nothing listening)
// and while running (gateway stopped, gateway hung, stopped in the middle of a PUT).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './ports';
import { Radosgw, startRadosgw } from './radosgw';
import { failureOf, s3ClientFor } from './s3-client';

const BUCKET = 'pacs-blobs';
const MiB = 1024 * 1024;
const instance = randomBytes(600 * 1024);

describe('radosgw failures the PACS must map', () => {
  let gw: Radosgw;
  let s3: S3Client;
  const clients: S3Client[] = [];

  before(async () => {
    gw = await startRadosgw();
    await gw.createBucket(BUCKET);
    s3 = client();
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await gw?.stop();
  });

  function client(overrides: Parameters<typeof s3ClientFor>[1] = {}): S3Client {
    const c = s3ClientFor(gw, overrides);
    clients.push(c);
    return c;
  }

  const putBuffer = (c: S3Client, key: string) => c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: instance }));
  const putStream = (c: S3Client, key: string) => {
    const body = new PassThrough();
    body.end(instance);
    return c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: instance.length }));
  };

  it('names a missing bucket: HeadBucket NotFound 404, PutObject NoSuchBucket 404', async () => {
    const head = await failureOf(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })));
    assert.deepEqual([head.name, head.status], ['NotFound', 404]);
    const put = await failureOf(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })));
    assert.deepEqual([put.name, put.status], ['NoSuchBucket', 404]);
  });

  it('refuses wrong keys with 403: only a request with a body names the cause', async () => {
    const wrongSecret = client({ credentials: { accessKeyId: gw.accessKeyId, secretAccessKey: 'wrong' } });
    const head = await failureOf(wrongSecret.send(new HeadBucketCommand({ Bucket: BUCKET })));
    // A HEAD answer has no body: the SDK cannot read an error code, only the status.
    assert.deepEqual([head.name, head.status], ['Unknown', 403]);
    const list = await failureOf(wrongSecret.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1 })));
    assert.deepEqual([list.name, list.status], ['SignatureDoesNotMatch', 403]);
    const unknownKey = client({ credentials: { accessKeyId: 'NOSUCHACCESSKEY00000', secretAccessKey: 'wrong' } });
    const listUnknown = await failureOf(unknownKey.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1 })));
    assert.deepEqual([listUnknown.name, listUnknown.status], ['InvalidAccessKeyId', 403]);
  });

  it('fails fast with ECONNREFUSED when nothing listens on the endpoint', async (t) => {
    const nowhere = client({ endpoint: `http://127.0.0.1:${await freePort()}` });
    const failure = await failureOf(nowhere.send(new HeadBucketCommand({ Bucket: BUCKET })));
    t.diagnostic(`nothing listening: ${JSON.stringify(failure)}`);
    assert.equal(failure.code, 'ECONNREFUSED');
    assert.equal(failure.attempts, 3); // the SDK's default maxAttempts, backing off ~100 ms in all
    assert.ok(failure.ms < 5_000);
  });

  it('refuses PUTs at once while radosgw is stopped, and the same client works when it is back', async (t) => {
    await putBuffer(s3, 'outage/before');
    await gw.stopGateway();
    try {
      const streamed = await failureOf(putStream(s3, 'outage/streamed'));
      const buffered = await failureOf(putBuffer(s3, 'outage/buffered'));
      t.diagnostic(`gateway stopped, streamed PUT: ${JSON.stringify(streamed)}`);
      t.diagnostic(`gateway stopped, buffered PUT: ${JSON.stringify(buffered)}`);
      // A stream cannot be replayed: the SDK does not retry it ("non-retryable streaming request").
      assert.deepEqual([streamed.code, streamed.attempts], ['ECONNREFUSED', undefined]);
      assert.deepEqual([buffered.code, buffered.attempts], ['ECONNREFUSED', 3]);
      assert.ok(streamed.ms < 5_000 && buffered.ms < 5_000);
    } finally {
      await gw.startGateway();
    }
    await putStream(s3, 'outage/after');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'outage/before' }));
    assert.equal(head.ContentLength, instance.length);
  });

  it('needs throwOnRequestTimeout (or socketTimeout) to fail a PUT to a hung radosgw', async (t) => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const warnOnly = client({ requestHandler: { requestTimeout: 1_000, logger } });
    const throwing = client({ maxAttempts: 2, requestHandler: { requestTimeout: 2_000, throwOnRequestTimeout: true } });
    const idle = client({ maxAttempts: 2, requestHandler: { socketTimeout: 2_000 } });
    gw.freezeGateway();
    let hanging: Promise<unknown> | undefined;
    try {
      hanging = putBuffer(warnOnly, 'hung/warn-only');
      const [timedOut, idled] = await Promise.all([failureOf(putBuffer(throwing, 'hung/throwing')), failureOf(putBuffer(idle, 'hung/idle'))]);
      t.diagnostic(`requestTimeout 2 s + throwOnRequestTimeout, maxAttempts 2: ${JSON.stringify(timedOut)}`);
      t.diagnostic(`socketTimeout 2 s, maxAttempts 2: ${JSON.stringify(idled)}`);
      assert.deepEqual([timedOut.name, timedOut.code, timedOut.attempts], ['TimeoutError', 'ETIMEDOUT', 2]);
      assert.deepEqual([idled.name, idled.attempts], ['TimeoutError', 2]);
      assert.ok(timedOut.ms < 6_000 && idled.ms < 6_000, 'both fail within ~4 s');
      // requestTimeout alone logs a warning and keeps waiting: the PUT is still pending.
      assert.equal(await Promise.race([hanging.then(() => 'settled', () => 'settled'), sleep(500).then(() => 'pending')]), 'pending');
      assert.match(warnings.join('\n'), /exceeded the configured 1000 ms requestTimeout/);
    } finally {
      gw.thawGateway();
    }
    await hanging; // answered once radosgw runs again
    await putBuffer(throwing, 'hung/after');
  });

  it('fails a PUT in flight when radosgw stops, and stores nothing of it', async (t) => {
    const body = new PassThrough();
    const put = failureOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'in-flight', Body: body, ContentLength: 4 * MiB })));
    body.write(randomBytes(MiB));
    await sleep(300); // the first MiB reaches radosgw, which waits for the rest
    const stopping = Date.now();
    await gw.stopGateway();
    const stopMs = Date.now() - stopping;
    body.end(randomBytes(3 * MiB));
    const failure = await put;
    t.diagnostic(`stopGateway with a PUT in flight took ${stopMs} ms; the PUT: ${JSON.stringify(failure)}`);
    await gw.startGateway();
    const after = await failureOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'in-flight' })));
    assert.equal(after.status, 404);
  });
});
