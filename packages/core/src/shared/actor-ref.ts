import type { ActorType } from '@quarry/protocol';
import type { Actor } from '../services/actor.js';

/** How an actor is named in audit records and `created_by` columns. */
export function actorRef(actor: Actor): { type: ActorType; id: string } {
  switch (actor.type) {
    case 'credential':
      return { type: 'credential', id: actor.id };
    case 'agent':
      return { type: 'agent', id: actor.endpointId };
    case 'link':
      return { type: 'link', id: actor.id };
    case 'system':
      return { type: 'system', id: actor.id };
  }
}

