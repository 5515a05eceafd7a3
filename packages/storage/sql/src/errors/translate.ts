import { StoreError } from '@quarry/core';
import type { DialectAdapter } from '../dialect-adapter.js';

/** Turns a driver error into a StoreError when the dialect recognises it; otherwise returns it unchanged. */
export function translateError(adapter: DialectAdapter, err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const classified = adapter.classifyError(err);
  return classified ? new StoreError(classified.kind, classified.constraint, { cause: err }) : err;
}

/**
 * Wraps every method of a repository so driver errors leave storage-sql translated. Repositories
 * stay plain Kysely code; the translation happens once, here, at the adapter boundary.
 */
export function translating<T extends object>(adapter: DialectAdapter, repo: T): T {
  const wrapped: Record<string, unknown> = {};
  let proto: object | null = repo;
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = (repo as Record<string, unknown>)[key];
      if (key === 'constructor' || typeof value !== 'function' || key in wrapped) continue;
      wrapped[key] = async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => unknown).apply(repo, args);
        } catch (err) {
          throw translateError(adapter, err);
        }
      };
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return wrapped as T;
}
