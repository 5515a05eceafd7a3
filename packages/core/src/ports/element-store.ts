import type { PageRequest } from './page.js';

/** A file found by sweeps on one endpoint, kept by (endpoint, path). Times are epoch ms. */
export interface FileElementRecord {
  id: number;
  guid: string;
  endpointId: string;
  path: string;
  /** Last path component, kept for name searches. */
  name: string;
  size: number;
  mtime: number | null;
  owner: string | null;
  md5: string;
  sha1: string;
  sha256: string;
  firstSeenAt: number;
  lastSeenAt: number;
  lastTaskId: number;
}

/** An element with the hostname of its endpoint, as lists show it. */
export interface ElementWithHost extends FileElementRecord {
  hostname: string;
}

/** What a sweep saw of one file. */
export type ElementSighting = Pick<FileElementRecord, 'path' | 'name' | 'size' | 'mtime' | 'owner' | 'md5' | 'sha1' | 'sha256'>;

/**
 * Filters of element searches. `nameLike` and `pathLike` are SQL LIKE patterns (escape `\`) over
 * the lower-cased column, built by core; stores apply them as they are.
 */
export interface ElementFilter {
  endpointId?: string | undefined;
  nameLike?: string | undefined;
  pathLike?: string | undefined;
  md5?: string | undefined;
  sha1?: string | undefined;
  sha256?: string | undefined;
}

/**
 * File elements, listed in id order. A sighting of an (endpoint, path) already known updates that
 * element in place: its id and guid never change.
 *
 * @example const ids = await store.elements.upsertMany(endpointId, taskId, now, sightings, () => secrets.randomHex(16));
 */
export interface ElementStore {
  /** Inserts or updates one element per sighting; returns their ids in the order given. Paths must be distinct. */
  upsertMany(endpointId: string, taskId: number, seenAt: number, sightings: readonly ElementSighting[], newGuid: () => string): Promise<number[]>;
  get(id: number): Promise<ElementWithHost | null>;
  getMany(ids: readonly number[]): Promise<ElementWithHost[]>;
  list(filter: ElementFilter, page: PageRequest<number>): Promise<ElementWithHost[]>;
}
