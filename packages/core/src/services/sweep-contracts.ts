import type {
  CreateSweepBody,
  FileElement,
  GetSweepQuery,
  ListElementsQuery,
  ListSweepResultsQuery,
  ListTasksQuery,
  PageOf,
  SweepDetail,
  SweepResultsPage,
  SweepTask,
  TaskSource,
} from '@quarry/protocol';
import type { Actor } from './actor.js';

/** Sweep tasks: find files on endpoints. Same engine, states and cancellation as retrievals. */
export interface SweepService {
  /** Validates the criteria (ROOT_INVALID, GLOB_INVALID, HASH_INVALID, BUDGET_OUT_OF_RANGE) and queues one subtask per endpoint. */
  create(actor: Actor, body: CreateSweepBody, source?: TaskSource): Promise<SweepTask>;
  list(query: ListTasksQuery): Promise<PageOf<SweepTask>>;
  /** TASK_NOT_FOUND also for a task that is not a sweep. */
  get(taskId: number, query?: GetSweepQuery): Promise<SweepDetail>;
  results(taskId: number, query?: ListSweepResultsQuery): Promise<SweepResultsPage>;
  cancel(actor: Actor, taskId: number): Promise<SweepTask>;
}

/** File elements: every file sweeps have found, searchable across endpoints. */
export interface ElementService {
  list(query: ListElementsQuery): Promise<PageOf<FileElement>>;
  get(elementId: number): Promise<FileElement>;
}
