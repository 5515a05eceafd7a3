import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { S3BlobStore, parseS3BlobUrl, type S3BlobStoreOptions } from '../src/index.js';

/** Set by scripts/test-services (startTestServices) or by hand; see MSG_SKIPPED. */
export const S3_URL = process.env.QUARRY_TEST_S3_URL;

const MSG_SKIPPED =
  '\n*** S3 tests SKIPPED: QUARRY_TEST_S3_URL is not set. Start Swift with\n' +
  '***   node scripts/test-services/index.mjs -- node --import tsx --test packages/storage/blob-s3/test/*.test.ts\n' +
  '*** or set REQUIRE_ALL_SERVICES=1 to make a missing S3 endpoint fail the run.\n';
const MSG_REQUIRED = 'QUARRY_TEST_S3_URL is not set but REQUIRE_ALL_SERVICES=1';

/**
 * `skip` option for suites that need S3: a loud skip normally, a failing test under
 * REQUIRE_ALL_SERVICES=1 (CI) so a broken service set-up cannot pass as green.
 */
export function s3SuiteGuard(): { skip: string | false } {
  if (S3_URL !== undefined && S3_URL !== '') return { skip: false };
  if (process.env.REQUIRE_ALL_SERVICES === '1') {
    it('has an S3 endpoint (REQUIRE_ALL_SERVICES=1)', () => assert.fail(MSG_REQUIRED));
  } else {
    console.warn(MSG_SKIPPED);
  }
  return { skip: 'QUARRY_TEST_S3_URL not set' };
}

/**
 * A store on a brand-new bucket (the URL's bucket name plus a random suffix), so suites never see
 * each other's objects; `cleanup` empties and deletes the bucket.
 */
export async function makeTestStore(
  overrides: Partial<S3BlobStoreOptions> = {},
): Promise<{ store: S3BlobStore; options: S3BlobStoreOptions; cleanup(): Promise<void> }> {
  assert.ok(S3_URL, MSG_REQUIRED);
  const base = parseS3BlobUrl(S3_URL);
  const options: S3BlobStoreOptions = { ...base, bucket: `${base.bucket}-${randomBytes(5).toString('hex')}`, ...overrides };
  const store = new S3BlobStore(options);
  await store.ensureBucket();
  return {
    store,
    options,
    cleanup: async () => {
      await deleteBucket(store.client, options.bucket);
      store.destroy();
    },
  };
}

/** Removes every object and unfinished multipart upload, then the bucket itself. */
export async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
  // One DeleteObject per key: DeleteObjects needs a Content-MD5/checksum header that S3-compatible
  // servers disagree about, and test buckets are small.
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    await Promise.all((page.Contents ?? []).map((o) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }))));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  for (const upload of await listMultipartUploads(client, bucket)) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Unfinished multipart uploads in `bucket` (first page is enough for tests). */
export async function listMultipartUploads(client: S3Client, bucket: string): Promise<Array<{ key: string; uploadId: string }>> {
  const res = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (res.Uploads ?? []).map((u) => ({ key: u.Key ?? '', uploadId: u.UploadId ?? '' }));
}
