import type { QuarryStore } from '../ports/quarry-store.js';
import type { Actor } from '../services/actor.js';
import { actorRef } from '../shared/actor-ref.js';

/** Audit target: what an action was done to. */
export interface AuditTarget {
  type: string;
  id: string;
}

/**
 * Appends one audit record. Called with the transaction's store so the record commits (or rolls
 * back) with the change it describes.
 */
export async function recordAudit(
  store: QuarryStore,
  at: number,
  entry: { actor: Actor; action: string; target: AuditTarget | null; details?: Record<string, unknown> },
): Promise<void> {
  const ref = actorRef(entry.actor);
  await store.audit.append({
    at,
    actorType: ref.type,
    actorId: ref.id,
    action: entry.action,
    targetType: entry.target?.type ?? null,
    targetId: entry.target?.id ?? null,
    ip: entry.actor.ip,
    details: entry.details ?? {},
  });
}
