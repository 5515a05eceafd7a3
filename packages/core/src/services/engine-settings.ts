/** Tunables of the task engine, validated by the server's config schema and passed in. */
export interface EngineSettings {
  /** Upload chunk size in bytes (≥ 5 MiB so S3 multipart works). */
  chunkSize: number;
  /** Default time queued work waits for an offline endpoint. */
  defaultTtlSeconds: number;
  /** An active subtask with no sign of life (ack, chunk, report) for this long times out. */
  inactivityTimeoutSeconds: number;
  /** Default attempts per subtask, counting the first. */
  defaultMaxAttempts: number;
  /** First retry delay; doubles per attempt, with jitter. */
  retryBaseDelaySeconds: number;
  /** Default and maximum download link lifetimes. */
  linkTtlSeconds: number;
  maxLinkTtlSeconds: number;
  /** An endpoint counts as online while its last heartbeat is younger than this. */
  onlineWindowSeconds: number;
  maxTargetEndpoints: number;
  maxTargetPaths: number;
}
