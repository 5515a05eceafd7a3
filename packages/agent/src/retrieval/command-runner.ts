import type { RetrievalCommand, SweepCommand } from '@quarry/protocol';
import type { Logger } from 'pino';
import { LOG } from '../logging/log-messages.js';
import { runSubtask, SubtaskCancelledError, type SubtaskDeps, type SubtaskOutcome } from './run-subtask.js';
import { runSweep } from '../sweep/run-sweep.js';

/** Work the runner accepts: a retrieval or a sweep attempt (a sweep command carries criteria). */
export type AgentCommand = RetrievalCommand | SweepCommand;

/** Subtasks run at once: two keeps one endpoint's disk and CPU from being swamped by a burst. */
export const MAX_CONCURRENT_SUBTASKS = 2;
/** Finished attempts remembered for logging; re-delivery of finished work is re-run anyway. */
const MAX_REMEMBERED = 1000;

interface Entry {
  command: AgentCommand;
  controller: AbortController;
  state: 'queued' | 'running';
}

/**
 * Accepts retrieval and cancel messages. De-duplicates by (subtaskId, attempt): a command whose
 * attempt is queued or running is ignored; one for finished work runs again, which is harmless
 * (the server answers 409 SUBTASK_NOT_ACTIVE, or begin says skip / lists received chunks).
 */
export class CommandRunner {
  readonly #deps: SubtaskDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #running = new Set<Promise<void>>();
  readonly #finished: string[] = [];
  #stopped = false;

  /** Called after each attempt ends; a seam for tests and the running-agent status. */
  onSettled: ((command: AgentCommand, outcome: SubtaskOutcome) => void) | undefined;

  constructor(deps: SubtaskDeps) {
    this.#deps = deps;
  }

  /** Attempts queued or running. */
  get activeCount(): number {
    return this.#entries.size;
  }

  /**
   * Queues a command. Its deadlineAt is deliberately not checked against the local clock: endpoint
   * clocks can be skewed, and the server enforces deadlines anyway (409 SUBTASK_NOT_ACTIVE).
   */
  submit(command: AgentCommand): void {
    if (this.#stopped) return;
    const key = keyOf(command.subtaskId, command.attempt);
    const fields = { subtaskId: command.subtaskId, attempt: command.attempt };
    if (this.#entries.has(key)) {
      this.#deps.logger.debug(fields, LOG.commandDuplicate);
      return;
    }
    // A newer attempt supersedes an older one still running for the same subtask.
    for (const entry of this.#entries.values()) {
      if (entry.command.subtaskId === command.subtaskId) entry.controller.abort(new SubtaskCancelledError('superseded'));
    }
    this.#entries.set(key, { command, controller: new AbortController(), state: 'queued' });
    this.#deps.logger.debug(fields, LOG.commandQueued);
    this.#pump();
  }

  cancel(subtaskId: number, attempt: number): void {
    const entry = this.#entries.get(keyOf(subtaskId, attempt));
    this.#deps.logger.info({ subtaskId, attempt, known: entry !== undefined }, LOG.cancelReceived);
    if (!entry) return;
    entry.controller.abort(new SubtaskCancelledError('cancelled by server'));
    if (entry.state === 'queued') this.#entries.delete(keyOf(subtaskId, attempt));
  }

  /** Aborts all work and waits for it to unwind. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const entry of this.#entries.values()) entry.controller.abort(new SubtaskCancelledError('agent stopping'));
    await Promise.allSettled([...this.#running]);
    this.#entries.clear();
  }

  /** Whether this attempt ran to an end on this agent (for tests and diagnostics). */
  hasFinished(subtaskId: number, attempt: number): boolean {
    return this.#finished.includes(keyOf(subtaskId, attempt));
  }

  #pump(): void {
    let running = [...this.#entries.values()].filter((e) => e.state === 'running').length;
    for (const entry of this.#entries.values()) {
      if (running >= MAX_CONCURRENT_SUBTASKS) return;
      if (entry.state !== 'queued') continue;
      entry.state = 'running';
      running += 1;
      const run = this.#run(entry);
      this.#running.add(run);
      void run.finally(() => this.#running.delete(run));
    }
  }

  async #run(entry: Entry): Promise<void> {
    const { command } = entry;
    const key = keyOf(command.subtaskId, command.attempt);
    const outcome =
      'criteria' in command ? await runSweep(this.#deps, command, entry.controller.signal) : await runSubtask(this.#deps, command, entry.controller.signal);
    this.#entries.delete(key);
    this.#finished.push(key);
    if (this.#finished.length > MAX_REMEMBERED) this.#finished.shift();
    this.onSettled?.(command, outcome);
    if (!this.#stopped) this.#pump();
  }
}

function keyOf(subtaskId: number, attempt: number): string {
  return `${subtaskId}:${attempt}`;
}
