import { appError } from '@quarry/core';
import { assertValidBlobPrefix as assertValidPrefix } from '@quarry/core';
import { MIN_PART_SIZE, type S3BlobStoreOptions } from './s3-options.js';

const REASON_NOT_S3 = 'blob store URL must look like s3://bucket[/prefix]?region=…[&endpoint=…][&forcePathStyle=true]';
const REASON_BUCKET = 'S3 bucket name must be 3-63 characters of a-z, 0-9, "." and "-"';
const REASON_REGION = 'S3 blob store URL needs ?region=… (e.g. region=us-east-1)';
const REASON_ENDPOINT = 'S3 endpoint must be an http:// or https:// URL';
const REASON_BOOLEAN = 'forcePathStyle must be true or false';
const REASON_PART_SIZE = `partSize must be a whole number of bytes, at least ${MIN_PART_SIZE}`;
const REASON_UNKNOWN_PARAM = 'unknown S3 blob store URL parameter';
const REASON_CREDENTIALS_IN_URL = 'put S3 credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, not in the URL';

const KNOWN_PARAMS = new Set(['endpoint', 'region', 'forcePathStyle', 'partSize']);
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses `s3://bucket[/prefix]?region=…&endpoint=…&forcePathStyle=true[&partSize=…]` into
 * {@link S3BlobStoreOptions}. Credentials are deliberately not part of the URL (URLs end up in
 * logs and process lists); the SDK finds them in the standard AWS chain. Unknown parameters are
 * rejected so a typo cannot silently fall back to a default.
 *
 * @example parseS3BlobUrl('s3://quarry-test?endpoint=http://127.0.0.1:8089&region=us-east-1&forcePathStyle=true')
 */
export function parseS3BlobUrl(url: string): S3BlobStoreOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw appError('VALIDATION_FAILED', { reason: REASON_NOT_S3, url });
  }
  if (parsed.protocol !== 's3:' || parsed.host === '' || parsed.hash !== '') {
    throw appError('VALIDATION_FAILED', { reason: REASON_NOT_S3, url });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw appError('VALIDATION_FAILED', { reason: REASON_CREDENTIALS_IN_URL });
  }
  // Non-special schemes keep the host's case; bucket names are lower case by rule, so compare as given.
  const bucket = decode(parsed.host, url);
  if (!BUCKET_NAME.test(bucket)) throw appError('VALIDATION_FAILED', { reason: REASON_BUCKET, bucket });

  for (const name of parsed.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(name)) throw appError('VALIDATION_FAILED', { reason: REASON_UNKNOWN_PARAM, parameter: name });
  }
  const param = (name: string): string | undefined => parsed.searchParams.get(name) ?? undefined;

  const region = param('region');
  if (region === undefined || region === '') throw appError('VALIDATION_FAILED', { reason: REASON_REGION, url });

  const options: S3BlobStoreOptions = { bucket, region };
  const prefix = decode(parsed.pathname, url).replace(/^\/+/, '');
  if (prefix !== '') {
    options.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
    assertValidPrefix(options.prefix);
  }

  const endpoint = param('endpoint');
  if (endpoint !== undefined) {
    if (!/^https?:\/\/[^/]/.test(endpoint) || !URL.canParse(endpoint)) {
      throw appError('VALIDATION_FAILED', { reason: REASON_ENDPOINT, endpoint });
    }
    options.endpoint = endpoint;
  }

  const forcePathStyle = param('forcePathStyle');
  if (forcePathStyle !== undefined) {
    if (forcePathStyle !== 'true' && forcePathStyle !== 'false') {
      throw appError('VALIDATION_FAILED', { reason: REASON_BOOLEAN, forcePathStyle });
    }
    options.forcePathStyle = forcePathStyle === 'true';
  }

  const partSize = param('partSize');
  if (partSize !== undefined) {
    const n = Number(partSize);
    if (!/^\d+$/.test(partSize) || !Number.isSafeInteger(n) || n < MIN_PART_SIZE) {
      throw appError('VALIDATION_FAILED', { reason: REASON_PART_SIZE, partSize });
    }
    options.partSize = n;
  }
  return options;
}

function decode(component: string, url: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw appError('VALIDATION_FAILED', { reason: REASON_NOT_S3, url });
  }
}
