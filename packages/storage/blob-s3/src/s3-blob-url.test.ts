import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '@quarry/core';
import { parseS3BlobUrl } from './s3-blob-url.js';
import { S3BlobStore } from './s3-blob-store.js';

const isValidation = (err: unknown) => isAppError(err, 'VALIDATION_FAILED');

describe('parseS3BlobUrl', () => {
  it('parses the test-services URL', () => {
    assert.deepEqual(parseS3BlobUrl('s3://quarry-test?endpoint=http://127.0.0.1:28090&region=us-east-1&forcePathStyle=true'), {
      bucket: 'quarry-test',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:28090',
      forcePathStyle: true,
    });
  });

  it('takes a prefix from the path, adding the trailing slash', () => {
    assert.deepEqual(parseS3BlobUrl('s3://my.bucket/quarry/blobs?region=eu-west-1'), {
      bucket: 'my.bucket',
      region: 'eu-west-1',
      prefix: 'quarry/blobs/',
    });
    assert.equal(parseS3BlobUrl('s3://bucket/p/?region=r').prefix, 'p/');
    assert.equal(parseS3BlobUrl('s3://bucket/?region=r').prefix, undefined);
    assert.equal(parseS3BlobUrl('s3://bucket/with%20space?region=r').prefix, 'with space/');
  });

  it('accepts an encoded endpoint, forcePathStyle=false and a part size', () => {
    const options = parseS3BlobUrl(`s3://bucket?region=r&endpoint=${encodeURIComponent('https://s3.example.com:9000')}&forcePathStyle=false&partSize=16777216`);
    assert.equal(options.endpoint, 'https://s3.example.com:9000');
    assert.equal(options.forcePathStyle, false);
    assert.equal(options.partSize, 16 * 1024 * 1024);
  });

  it('rejects malformed URLs with VALIDATION_FAILED', () => {
    const bad = [
      'not a url',
      'http://bucket?region=r',
      's3://?region=r',
      's3://bucket',
      's3://bucket?region=',
      's3://Bucket?region=r',
      's3://b?region=r',
      's3://bucket_name?region=r',
      's3://bucket?region=r&endpoint=ftp://host',
      's3://bucket?region=r&endpoint=127.0.0.1:9000',
      's3://bucket?region=r&forcePathStyle=yes',
      's3://bucket?region=r&partSize=1024',
      's3://bucket?region=r&partSize=8MiB',
      's3://bucket?region=r&forcepathstyle=true',
      's3://bucket?region=r#frag',
      's3://key:secret@bucket?region=r',
      's3://bucket/a//b?region=r',
      's3://bucket/a%5Cb?region=r',
      's3://bucket/%E0%A4%A?region=r',
    ];
    for (const url of bad) assert.throws(() => parseS3BlobUrl(url), isValidation, url);
  });

  it('never puts credentials into the options', () => {
    const options = parseS3BlobUrl('s3://bucket?region=r');
    assert.equal('credentials' in options, false);
  });
});

describe('S3BlobStore options', () => {
  it('normalises the prefix and rejects unsafe prefixes and tiny parts', () => {
    assert.equal(new S3BlobStore({ bucket: 'b', region: 'r', prefix: 'x/y' }).prefix, 'x/y/');
    assert.equal(new S3BlobStore({ bucket: 'b', region: 'r' }).prefix, '');
    assert.equal(new S3BlobStore({ bucket: 'b', region: 'r' }).partSize, 8 * 1024 * 1024);
    assert.throws(() => new S3BlobStore({ bucket: 'b', region: 'r', prefix: '../x' }), isValidation);
    assert.throws(() => new S3BlobStore({ bucket: 'b', region: 'r', partSize: 5 * 1024 * 1024 - 1 }), isValidation);
  });

  it('rejects unsafe keys before any network call', async () => {
    // No endpoint is listening on port 9: a network call would fail with ECONNREFUSED, not VALIDATION_FAILED.
    const store = new S3BlobStore({ bucket: 'b', region: 'r', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'a', secretAccessKey: 's' } });
    try {
      await assert.rejects(store.get('../etc/passwd'), isValidation);
      await assert.rejects(store.stat('/abs'), isValidation);
      await assert.rejects(store.delete('a\\b'), isValidation);
    } finally {
      store.destroy();
    }
  });
});
