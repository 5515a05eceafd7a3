import { Type, type Static } from 'typebox';

const MiB = 1024 * 1024;

/** pino levels accepted by `logLevel`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Bounds of the upload chunk size: S3 multipart needs parts of at least 5 MiB. */
export const MIN_CHUNK_SIZE = 5 * MiB;
export const MAX_CHUNK_SIZE = 64 * MiB;

const Seconds = (def: number, description: string, minimum = 1) =>
  Type.Integer({ minimum, maximum: 31_536_000, default: def, description });

/**
 * The embedded SQLite database. A discriminated union so PostgreSQL
 * (`{ driver: 'postgres', url }`, QUARRY_DATABASE_URL) can be added without renaming keys.
 */
export const DatabaseConfigSchema = Type.Object(
  {
    driver: Type.Literal('sqlite', { default: 'sqlite', description: 'Embedded database driver (`sqlite`); set databaseUrl for PostgreSQL.' }),
    path: Type.String({ default: '', description: 'SQLite file when databaseUrl is empty. Empty means `<dataDir>/quarry.db`.' }),
  },
  { additionalProperties: false, default: { driver: 'sqlite', path: '' }, description: 'Where tasks, endpoints, credentials and the audit log are stored.' },
);

/**
 * Every server setting, with its default and description. The type is inferred from it; the
 * loader (load.ts) fills defaults, converts env/flag strings, and validates against it.
 */
export const ConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Interface to listen on. Use `0.0.0.0` to accept remote agents and users.' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port to listen on (0 picks a free port).' }),
    dataDir: Type.String({ minLength: 1, default: './data', description: 'Directory for the database, encrypted blobs, master key, admin key and local agent state.' }),
    publicUrl: Type.String({
      default: '',
      pattern: '^(https?://[^\\s]+)?$',
      description: 'Absolute base URL clients use to reach this server; used in download links. Empty means `http://<host>:<port>` (as actually bound).',
    }),
    adminKey: Type.Union([Type.String({ pattern: '^qk_[0-9a-f]{16}\\.[A-Za-z0-9_-]{32,}$' }), Type.Null()], {
      default: null,
      description: 'Preset admin API key (`qk_<16 hex>.<secret>`) created on first start. Unset: a key is generated and written to `<dataDir>/admin.key`. Secret: prefer QUARRY_ADMIN_KEY_FILE.',
    }),
    masterKey: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description: 'Master key (32 random bytes, base64) that wraps the data keys of stored files. Unset: read from or created at `<dataDir>/master.key`. Secret: prefer QUARRY_MASTER_KEY_FILE.',
    }),
    localAgent: Type.Boolean({ default: false, description: 'Also run an agent for this machine as a child process (`--with-local-agent`).' }),
    logLevel: Type.Union(
      LOG_LEVELS.map((l) => Type.Literal(l)),
      { default: 'info', description: 'Minimum log level (pino).' },
    ),
    chunkSize: Type.Integer({ minimum: MIN_CHUNK_SIZE, maximum: MAX_CHUNK_SIZE, default: 8 * MiB, description: 'Upload chunk size in bytes (5 MiB to 64 MiB).' }),
    taskTtlSeconds: Seconds(86_400, 'Default time queued work waits for an offline endpoint before it expires.', 10),
    inactivityTimeoutSeconds: Seconds(300, 'An active subtask with no sign of life for this long times out.', 5),
    maxAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'Default attempts per subtask, counting the first.' }),
    retryBaseDelaySeconds: Seconds(30, 'First retry delay; doubles per attempt, with jitter.'),
    linkTtlSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 600, description: 'Default lifetime of a download link.' }),
    maxLinkTtlSeconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 86_400, description: 'Longest lifetime a download link may ask for.' }),
    onlineWindowSeconds: Seconds(90, 'An endpoint counts as online while its last sign of life is younger than this.', 5),
    heartbeatIntervalSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: 'How often agents send heartbeats and the server pings WebSockets; dead sockets are closed after one missed ping.' }),
    maxTargetEndpoints: Type.Integer({ minimum: 1, maximum: 10_000, default: 10_000, description: 'Most endpoints one retrieval may target.' }),
    maxTargetPaths: Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'Most paths one retrieval may ask for.' }),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 64 * MiB, default: MiB, description: 'Largest JSON request body in bytes (chunk uploads are limited by chunkSize instead).' }),
    tickIntervalMs: Type.Integer({ minimum: 50, maximum: 600_000, default: 1000, description: 'How often the task engine checks deadlines, expiry and retries.' }),
    database: DatabaseConfigSchema,
    databaseUrl: Type.String({
      default: '',
      description:
        'Database to use: `postgres://user@host:5432/db` (or `postgresql://…`) for PostgreSQL, shared by every node; a file path (or `sqlite:PATH`) for embedded SQLite; empty means SQLite at `database.path`. Prefer PGPASSWORD (or ~/.pgpass) to a password in the URL.',
    }),
    databasePoolMax: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'PostgreSQL connections per node.' }),
    migrate: Type.Boolean({
      default: false,
      description: 'On PostgreSQL, apply pending database migrations at start (`--migrate`); without it a node refuses to start while migrations are pending. Embedded SQLite always migrates.',
    }),
    blobUrl: Type.String({
      default: '',
      pattern: '^(s3://[^\\s]+)?$',
      description:
        'Where encrypted file chunks are stored: `s3://bucket[/prefix]?region=…[&endpoint=…][&forcePathStyle=true]` for S3 or an S3-compatible store (credentials from the standard AWS variables, e.g. AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); empty means `<dataDir>/blobs` on local disk.',
    }),
  },
  { additionalProperties: false },
);

/** The validated, deep-frozen server configuration. */
export type ServerConfig = Static<typeof ConfigSchema>;

/** Keys whose values are secrets: never printed or logged. */
export const SECRET_CONFIG_KEYS = ['adminKey', 'masterKey'] as const;
