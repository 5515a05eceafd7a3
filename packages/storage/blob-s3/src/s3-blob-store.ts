import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { appError, type BlobStat, type BlobStore } from '@quarry/core';
import { assertValidBlobKey as assertValidKey, assertValidBlobPrefix as assertValidPrefix } from '@quarry/core';
import { ByteCounter } from './byte-counter.js';
import { DEFAULT_PART_SIZE, MIN_PART_SIZE, createS3Client, type S3BlobStoreOptions } from './s3-options.js';

/**
 * Parts in flight per upload. Memory per put is about (queueSize + 1) x partSize, and two parts
 * already keep one connection busy while the next part is being filled.
 */
const QUEUE_SIZE = 2;
const REASON_PART_SIZE = `partSize must be a whole number of bytes, at least ${MIN_PART_SIZE}`;
const REASON_RANGE = 'range must be whole numbers with 0 <= start <= end';

/**
 * {@link BlobStore} on an S3 bucket (AWS or an S3-compatible server such as Swift's s3api).
 *
 * `put` streams through lib-storage's `Upload`: bodies up to one part go out as a single PutObject,
 * larger ones as a multipart upload. Either way nothing becomes visible before the source has ended
 * cleanly (the last part is only sent after end-of-stream, and a multipart object only appears on
 * CompleteMultipartUpload), so a failing source leaves no object and never damages the old one.
 *
 * @example const store = new S3BlobStore(parseS3BlobUrl(process.env.BLOB_URL)); await store.ensureBucket();
 */
export class S3BlobStore implements BlobStore {
  readonly bucket: string;
  /** '' or ending in '/'. */
  readonly prefix: string;
  readonly partSize: number;
  private readonly listPageSize: number | undefined;
  /** Exposed for tests and tooling (bucket setup and teardown); adapters' callers use the port. */
  readonly client: S3Client;
  private readonly region: string;

  constructor(options: S3BlobStoreOptions) {
    const prefix = options.prefix ?? '';
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    assertValidPrefix(this.prefix);
    const partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isSafeInteger(partSize) || partSize < MIN_PART_SIZE) {
      throw appError('VALIDATION_FAILED', { reason: REASON_PART_SIZE, partSize });
    }
    this.partSize = partSize;
    this.listPageSize = options.listPageSize;
    this.bucket = options.bucket;
    this.region = options.region;
    this.client = createS3Client(options);
  }

  async put(key: string, body: Readable, options?: { size?: number }): Promise<BlobStat> {
    assertValidKey(key);
    // The counter sits between source and upload so a short or long body fails *before* the last
    // part is released, i.e. before anything becomes visible.
    const counter = new ByteCounter(options?.size);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.prefix + key, Body: counter },
      partSize: this.partSize,
      queueSize: QUEUE_SIZE,
      // Abort the multipart upload on failure: its parts would otherwise be stored (and billed)
      // forever, invisible to list().
      leavePartsOnError: false,
    });
    // Errors reach the upload through the counter (pipeline destroys it), so this one is redundant.
    const piping = pipeline(body, counter).catch(() => undefined);
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      counter.destroy();
      throw err;
    } finally {
      await piping;
    }
    return { size: counter.bytes };
  }

  async get(key: string, options?: { range?: { start: number; end: number } }): Promise<Readable> {
    assertValidKey(key);
    let range: string | undefined;
    if (options?.range) {
      const { start, end } = options.range;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
        throw appError('RANGE_NOT_SATISFIABLE', { key, start, end, reason: REASON_RANGE });
      }
      range = `bytes=${start}-${end}`;
    }
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Range: range }));
      const body = res.Body;
      if (body instanceof Readable) return body;
      // Only reachable on a non-Node runtime; the SDK hands Node an IncomingMessage.
      if (body === undefined) return Readable.from([]);
      return Readable.fromWeb(body.transformToWebStream() as WebReadableStream);
    } catch (err) {
      if (isMissingKey(err)) throw appError('BLOB_NOT_FOUND', { key }, { cause: err });
      if (statusOf(err) === 416) throw appError('RANGE_NOT_SATISFIABLE', { key, ...options?.range }, { cause: err });
      throw err;
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    assertValidKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return { size: res.ContentLength ?? 0 };
    } catch (err) {
      // HEAD responses have no body, so S3 cannot say *what* is missing: any 404 reads as "no object".
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (err) {
      // S3 answers 204 for a missing key; some compatible servers say 404. Both mean "gone".
      if (isMissingKey(err)) return;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    assertValidPrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token, MaxKeys: this.listPageSize }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key.slice(this.prefix.length), size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /**
   * Creates the bucket unless it exists. For tests and a server's first start; production buckets
   * are usually made by the operator with their own policies, and then this is a cheap HEAD.
   */
  async ensureBucket(): Promise<void> {
    if (await this.bucketExists()) return;
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          // us-east-1 is the one region that rejects an explicit location constraint.
          ...(this.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: this.region as BucketLocationConstraint } } : {}),
        }),
      );
    } catch (err) {
      // A concurrent ensureBucket may have won the race; only an existing, *accessible* bucket is fine.
      const name = (err as { name?: string } | null)?.name;
      if ((name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') && (await this.bucketExists())) return;
      throw err;
    }
  }

  /** Closes the client's pooled connections; the store is unusable afterwards. */
  destroy(): void {
    this.client.destroy();
  }

  private async bucketExists(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** A missing object, as opposed to a missing bucket (a configuration error that must surface). */
function isMissingKey(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(err) === 404;
}
