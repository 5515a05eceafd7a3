import type { OsFamily } from '@quarry/protocol';
import type { PageRequest } from './page.js';

/** An enrolled endpoint as stored. Times are epoch milliseconds. */
export interface EndpointRecord {
  id: string;
  shortId: string;
  hostname: string;
  os: OsFamily;
  osVersion: string;
  arch: string;
  agentVersion: string;
  ipAddresses: string[];
  agentSecretHash: string;
  enrolledAt: number;
  lastSeenAt: number | null;
  connected: boolean;
}

export interface EndpointFilter {
  hostname?: string | undefined;
  os?: OsFamily | undefined;
  /** With `onlineSince`: true keeps connected endpoints seen at or after it, false the others. */
  online?: boolean | undefined;
  onlineSince?: number | undefined;
}

export type EndpointPatch = Partial<
  Pick<EndpointRecord, 'hostname' | 'os' | 'osVersion' | 'arch' | 'agentVersion' | 'ipAddresses' | 'lastSeenAt' | 'connected'>
>;

/**
 * Enrolled endpoints, listed in id order.
 *
 * @example const e = await store.endpoints.getByShortId('0123456789abcdef01234567');
 */
export interface EndpointStore {
  insert(record: EndpointRecord): Promise<void>;
  get(id: string): Promise<EndpointRecord | null>;
  getByShortId(shortId: string): Promise<EndpointRecord | null>;
  /** Exact hostname matches, at most `limit`. */
  findByHostname(hostname: string, limit: number): Promise<EndpointRecord[]>;
  /** The endpoints with these ids (unknown ids are left out), in no particular order. */
  getMany(ids: readonly string[]): Promise<EndpointRecord[]>;
  /** As getMany, by short id. */
  getManyByShortId(shortIds: readonly string[]): Promise<EndpointRecord[]>;
  /** Every endpoint whose hostname is one of these, exactly. */
  findByHostnames(hostnames: readonly string[]): Promise<EndpointRecord[]>;
  list(filter: EndpointFilter, page: PageRequest<string>): Promise<EndpointRecord[]>;
  update(id: string, patch: EndpointPatch): Promise<void>;
}
