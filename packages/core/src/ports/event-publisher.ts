import type { ProgressEvent, TaskStatusEvent } from '@quarry/protocol';

/** What the task engine announces. Delivery is best effort: every consumer also polls the store. */
export type DomainEvent =
  /** Queued work exists for these endpoints; whoever holds their connection should claim it. */
  | { type: 'work-available'; endpointIds: string[] }
  /** An active subtask was cancelled; its agent should stop. */
  | { type: 'cancel'; endpointId: string; subtaskId: number; attempt: number }
  | ProgressEvent
  | TaskStatusEvent;

/**
 * @example publisher.publish({ type: 'work-available', endpointIds: [id] });
 */
export interface EventPublisher {
  publish(event: DomainEvent): void;
}
