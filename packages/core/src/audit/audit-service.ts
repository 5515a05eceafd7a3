import type { AuditEvent, ListAuditQuery, PageOf } from '@quarry/protocol';
import type { AuditRecord } from '../ports/audit-store.js';
import type { Actor } from '../services/actor.js';
import type { AuditService } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { decodeCursor, pageLimit, toPage } from '../shared/paging.js';
import { iso, parseIso } from '../shared/time.js';
import { recordAudit } from './record-audit.js';

export function toAuditEvent(r: AuditRecord): AuditEvent {
  const event = { ...r, at: iso(r.at) };
  return event;
}

export function createAuditService(deps: ServiceDeps): AuditService {
  const { store, clock } = deps;
  return {
    async list(query: ListAuditQuery): Promise<PageOf<AuditEvent>> {
      const q = query as { limit?: number; cursor?: string; actorId?: string; action?: string; targetType?: string; targetId?: string; since?: string };
      const since = q.since === undefined ? undefined : parseIso(q.since);
      if (since === null) throw appError('VALIDATION_FAILED', { reason: 'since must be an ISO-8601 timestamp' });
      const limit = pageLimit(q.limit);
      const rows = await store.audit.list(
        { actorId: q.actorId, action: q.action, targetType: q.targetType, targetId: q.targetId, since },
        { limit: limit + 1, after: decodeCursor(q.cursor, 'number') },
      );
      return toPage(rows, limit, (r) => r.id, toAuditEvent);
    },

    async record(actor: Actor, action: string, target: { type: string; id: string } | null, details?: Record<string, unknown>): Promise<void> {
      await recordAudit(store, clock.now().getTime(), { actor, action, target, ...(details ? { details } : {}) });
    },
  };
}
