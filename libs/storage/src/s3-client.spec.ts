import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storageError } from './s3-client';

const settings = { bucket: 'pacs', prefix: null, endpoint: 'http://ceph:7480', region: 'us-east-1', forcePathStyle: true };
const sdkError = (name: string, status?: number) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('S3 failures as the admin reads them', () => {
  it('names PACS_S3_BUCKET when the bucket does not exist', () => {
    const err = storageError(sdkError('NotFound', 404), settings, 'bucket');
    assert.equal(err.code, 'no-bucket');
    assert.match(err.message, /^PACS_S3_BUCKET: bucket pacs does not exist at http:\/\/ceph:7480/);
  });

  it('names the credentials when they are refused', () => {
    for (const name of ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden']) {
      const err = storageError(sdkError(name, 403), settings, 'bucket');
      assert.equal(err.code, 'access-denied');
      assert.match(err.message, /AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
    }
  });

  it('names PACS_S3_ENDPOINT when nothing answers', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7480'), { code: 'ECONNREFUSED' });
    const err = storageError(refused, settings, 'object');
    assert.equal(err.code, 'unreachable');
    assert.match(err.message, /^PACS_S3_ENDPOINT: cannot reach http:\/\/ceph:7480/);
  });

  it('reports a missing object as ENOENT, as a missing file would be', () => {
    assert.equal(storageError(sdkError('NoSuchKey', 404), settings, 'object').code, 'ENOENT');
    assert.equal(storageError(sdkError('NotFound', 404), settings, 'object').code, 'ENOENT');
    assert.equal(storageError(sdkError('NoSuchBucket', 404), settings, 'object').code, 'no-bucket');
  });

  it('says AWS S3 and the region when no endpoint is set', () => {
    const err = storageError(sdkError('InternalError', 500), { ...settings, endpoint: null }, 'object');
    assert.match(err.message, /^S3 AWS S3 \(us-east-1\) answered 500/);
  });
});
