import { setTimeout as delay } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import { StoreError } from '@quarry/core';
import type { DialectAdapter } from './dialect-adapter.js';
import { translateError } from './errors/translate.js';
import type { Database } from './schema.js';

/** Upper bound of the random pause before re-running an aborted transaction, per attempt. */
const RETRY_JITTER_MS = 20;

/**
 * Runs `fn` in a transaction at the dialect's isolation level. When the database aborts it as a
 * deadlock or serialisation failure the whole of `fn` runs again, up to the dialect's attempt
 * limit, so `fn` must be safe to repeat: it may only touch the database and in-memory state it
 * rebuilds. Errors leave translated (StoreError) like every other store call.
 */
export async function runTransaction<T>(adapter: DialectAdapter, db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const { transactionIsolation, maxTransactionAttempts } = adapter.capabilities;
  for (let attempt = 1; ; attempt++) {
    try {
      let builder = db.transaction();
      if (transactionIsolation !== undefined) builder = builder.setIsolationLevel(transactionIsolation);
      return await builder.execute(fn);
    } catch (err) {
      // Repository errors were already translated inside the callback; look at the driver's error.
      const raw = err instanceof StoreError ? err.cause : err;
      if (attempt >= maxTransactionAttempts || !adapter.isTransientError(raw)) throw translateError(adapter, err);
      // Random spread so the transactions that collided do not collide again in lockstep.
      await delay(Math.floor(Math.random() * RETRY_JITTER_MS * attempt));
    }
  }
}
