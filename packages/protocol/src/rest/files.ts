import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { Hex32, IntId, Md5Hex, NullableTimestamp, PageQuery, Sha1Hex, Sha256Hex, Timestamp } from './common.js';

/** A file retrieved and verified by the server. Its id is the id of the file operation that got it. */
export const RetrievedFileSchema = Type.Object(
  {
    id: IntId,
    taskId: IntId,
    subtaskId: IntId,
    endpointId: Hex32,
    hostname: Type.String(),
    path: Type.String(),
    /** Last path component, as it will be named in downloads. */
    name: Type.String(),
    size: Type.Integer(),
    mtime: NullableTimestamp,
    md5: Md5Hex,
    sha1: Sha1Hex,
    sha256: Sha256Hex,
    retrievedAt: Timestamp,
  },
  { $id: 'RetrievedFile' },
);
export type RetrievedFile = Static<typeof RetrievedFileSchema>;

export const ListFilesQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    taskId: Type.Optional(Type.Integer({ minimum: 1 })),
    endpointId: Type.Optional(Type.String({ maxLength: 255 })),
    /** md5, sha1 or sha256, told apart by length. */
    hash: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$' })),
  }),
]);
export type ListFilesQuery = Static<typeof ListFilesQuery>;

export const DOWNLOAD_FORMATS = ['raw', 'zip'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

export const CreateLinkBody = Type.Object(
  {
    format: Type.Optional(literalUnion(DOWNLOAD_FORMATS, { default: 'raw' })),
    /** Defaults to the server's link TTL (10 minutes); capped by config. */
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
    /** Zip only: use this password instead of a generated one. */
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type CreateLinkBody = Static<typeof CreateLinkBody>;

export const DownloadLinkSchema = Type.Object(
  {
    url: Type.String({ description: 'Absolute URL; no credential needed while it is valid' }),
    path: Type.String({ description: 'The same link relative to the server root' }),
    format: literalUnion(DOWNLOAD_FORMATS),
    fileName: Type.String(),
    expiresAt: Timestamp,
    /** Zip only: the archive's password. */
    password: Type.Optional(Type.String()),
    size: Type.Integer({ description: 'Size of the file inside; the zip adds its own headers' }),
    sha256: Sha256Hex,
  },
  { $id: 'DownloadLink' },
);
export type DownloadLink = Static<typeof DownloadLinkSchema>;
