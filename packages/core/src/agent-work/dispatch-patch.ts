import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { EngineSettings } from '../services/engine-settings.js';

/**
 * How a claimed subtask is stamped when it moves to `dispatched`: the next attempt, and a deadline
 * one inactivity timeout away. Every claim path uses it, so they cannot disagree on the rule.
 */
export function dispatchPatch(s: SubtaskRecord, now: number, settings: EngineSettings) {
  return {
    attempt: s.attempt + 1,
    dispatchedAt: now,
    startedAt: null,
    deadlineAt: now + settings.inactivityTimeoutSeconds * 1000,
    nextAttemptAt: null,
  };
}
