import type { ActorType } from '@quarry/protocol';
import type { PageRequest } from './page.js';

/** One audit record. The table is append-only: the database refuses UPDATE and DELETE. */
export interface AuditRecord {
  id: number;
  at: number;
  actorType: ActorType;
  actorId: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  actorId?: string | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  since?: number | undefined;
}

/**
 * The audit log, listed newest first (descending id).
 *
 * @example await store.audit.append({ at, actorType: 'system', actorId: 'engine', action: 'x', targetType: null, targetId: null, ip: null, details: {} });
 */
export interface AuditStore {
  append(record: Omit<AuditRecord, 'id'>): Promise<number>;
  list(filter: AuditFilter, page: PageRequest<number>): Promise<AuditRecord[]>;
}
