import type { ClassifiedError } from '../../dialect-adapter.js';

/** SQLSTATE raised by the append-only trigger (user-defined codes must avoid the standard classes). */
export const APPEND_ONLY_SQLSTATE = 'QA001';

/** SQLSTATEs after which re-running the whole transaction may succeed. */
const TRANSIENT = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** node-postgres DatabaseError fields we read. */
interface PgDatabaseError {
  code: string;
  constraint?: string | undefined;
}

function asPgError(err: unknown): PgDatabaseError | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  // SQLSTATEs are five characters; node's own errors (ECONNREFUSED …) are not.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? (err as unknown as PgDatabaseError) : null;
}

export function classifyPgError(err: unknown): ClassifiedError | null {
  const pgErr = asPgError(err);
  if (!pgErr) return null;
  const constraint = pgErr.constraint ?? null;
  switch (pgErr.code) {
    case '23505':
      return { kind: 'unique_violation', constraint };
    case '23503':
      return { kind: 'foreign_key_violation', constraint };
    case APPEND_ONLY_SQLSTATE:
      return { kind: 'append_only', constraint: null };
    case '40001':
    case '40P01':
    case '55P03': // lock_not_available (lock_timeout)
      return { kind: 'busy', constraint: null };
    default:
      return null;
  }
}

export function isTransientPgError(err: unknown): boolean {
  const pgErr = asPgError(err);
  return pgErr !== null && TRANSIENT.has(pgErr.code);
}
