/** What a storage adapter reports when the database refuses a write for a reason core may handle. */
export const STORE_ERROR_KINDS = ['unique_violation', 'foreign_key_violation', 'append_only', 'busy'] as const;
export type StoreErrorKind = (typeof STORE_ERROR_KINDS)[number];

/**
 * A constraint failure translated by the adapter (storage-sql `errors/translate.ts`), so core can
 * react to "already exists" without knowing the database.
 *
 * @example if (isStoreError(err, 'unique_violation')) retryWithNewId();
 */
export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  readonly constraint: string | null;

  constructor(kind: StoreErrorKind, constraint: string | null, options?: { cause?: unknown }) {
    super(`store refused the write: ${kind}${constraint ? ` (${constraint})` : ''}`, options);
    this.name = 'StoreError';
    this.kind = kind;
    this.constraint = constraint;
  }
}

export function isStoreError(err: unknown, kind?: StoreErrorKind): err is StoreError {
  return err instanceof StoreError && (kind === undefined || err.kind === kind);
}
