import type { DomainEvent, EventPublisher, Logger } from '@quarry/core';

/** Receives the events a subscription's filter accepted. */
export type EventListener = (event: DomainEvent) => void;

/**
 * In-process publish/subscribe for DomainEvents: the engine publishes, the agent hub and SSE
 * streams subscribe. Delivery is synchronous and best effort (consumers also poll the store), and
 * a throwing listener is logged and never affects the publisher or other listeners.
 *
 * @example const off = bus.subscribe((e) => e.type === 'cancel', (e) => …); off();
 */
export interface EventBus extends EventPublisher {
  subscribe(filter: (event: DomainEvent) => boolean, listener: EventListener): () => void;
  /** Number of live subscriptions (tests wait on it instead of sleeping). */
  subscriberCount(): number;
}

export function createEventBus(logger: Logger): EventBus {
  const subscriptions = new Set<{ filter: (e: DomainEvent) => boolean; listener: EventListener }>();
  return {
    publish(event) {
      // Copy first: a listener may unsubscribe (e.g. an SSE stream that ends on this event).
      for (const sub of [...subscriptions]) {
        try {
          if (sub.filter(event)) sub.listener(event);
        } catch (err) {
          logger.error({ err, eventType: event.type }, 'event listener failed');
        }
      }
    },
    subscribe(filter, listener) {
      const sub = { filter, listener };
      subscriptions.add(sub);
      return () => {
        subscriptions.delete(sub);
      };
    },
    subscriberCount: () => subscriptions.size,
  };
}
