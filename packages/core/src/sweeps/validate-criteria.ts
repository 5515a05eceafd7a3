import {
  MAX_SWEEP_HASHES,
  namePatternProblem,
  rootProblem,
  SWEEP_BUDGET_LIMITS,
  SWEEP_BUDGET_NAMES,
  type CreateSweepBody,
  type SweepCriteria,
} from '@quarry/protocol';
import { appError } from '../errors/catalogue.js';
import { parseIso } from '../shared/time.js';
import { hashKindOf } from './hash-kind.js';

/** Reasons of VALIDATION_FAILED for criteria the schema cannot judge. */
export const CRITERIA_REASONS = {
  sizeRange: 'minSize must not be larger than maxSize',
  modifiedSince: 'modifiedSince must be an ISO-8601 timestamp, e.g. 2026-01-31T00:00:00Z',
  tooManyHashes: `at most ${MAX_SWEEP_HASHES} hashes`,
} as const;

/**
 * Checks sweep criteria beyond the schema and returns them normalised: roots and names
 * de-duplicated, hashes lower-cased and de-duplicated, every budget filled in with its default.
 * Throws ROOT_INVALID, GLOB_INVALID, HASH_INVALID, BUDGET_OUT_OF_RANGE or VALIDATION_FAILED.
 */
export function validateCriteria(body: Pick<CreateSweepBody, 'roots' | 'names' | 'minSize' | 'maxSize' | 'modifiedSince' | 'hashes' | 'budgets'>): SweepCriteria {
  const roots = unique(body.roots);
  for (const root of roots) {
    const problem = rootProblem(root);
    if (problem?.code === 'ROOT_INVALID') throw appError('ROOT_INVALID', { root, reason: problem.reason });
    if (problem) throw appError('GLOB_INVALID', { pattern: root, reason: problem.reason });
  }
  const names = unique(body.names ?? []);
  for (const name of names) {
    const reason = namePatternProblem(name);
    if (reason) throw appError('GLOB_INVALID', { pattern: name, reason });
  }
  const hashes = unique((body.hashes ?? []).map((h) => h.trim().toLowerCase()));
  for (const hash of hashes) if (hashKindOf(hash) === null) throw appError('HASH_INVALID', { hash });
  if (hashes.length > MAX_SWEEP_HASHES) throw appError('VALIDATION_FAILED', { reason: CRITERIA_REASONS.tooManyHashes });
  const minSize = body.minSize ?? null;
  const maxSize = body.maxSize ?? null;
  if (minSize !== null && maxSize !== null && minSize > maxSize) throw appError('VALIDATION_FAILED', { reason: CRITERIA_REASONS.sizeRange });
  let modifiedSince: string | null = null;
  if (body.modifiedSince !== undefined) {
    const ms = parseIso(body.modifiedSince);
    if (ms === null) throw appError('VALIDATION_FAILED', { reason: CRITERIA_REASONS.modifiedSince });
    modifiedSince = new Date(ms).toISOString();
  }
  const budgets = {} as SweepCriteria['budgets'];
  for (const budget of SWEEP_BUDGET_NAMES) {
    const limits = SWEEP_BUDGET_LIMITS[budget];
    const value = body.budgets?.[budget] ?? limits.default;
    if (!Number.isSafeInteger(value) || value < limits.min || value > limits.max) {
      throw appError('BUDGET_OUT_OF_RANGE', { budget, value, min: limits.min, max: limits.max });
    }
    budgets[budget] = value;
  }
  return { roots, names, minSize, maxSize, modifiedSince, hashes, budgets };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
