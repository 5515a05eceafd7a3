import type { Role } from '@quarry/protocol';

/** Permissions a request may need. Roles map onto these in `permissionsOf`. */
export const PERMISSIONS = [
  'read', // endpoints, tasks, files metadata
  'retrieve', // start and cancel retrievals
  'download', // create download links (read file contents)
  'manage', // credentials, enrolment tokens, audit log
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Someone the API has authenticated. */
export interface ApiPrincipal {
  type: 'credential';
  id: string;
  name: string;
  role: Role;
  canDownload: boolean;
}

export interface AgentPrincipal {
  type: 'agent';
  endpointId: string;
}

/** Who an audited action is attributed to, and from where. */
export type Actor =
  | (ApiPrincipal & { ip: string | null })
  | (AgentPrincipal & { ip: string | null })
  | { type: 'link'; id: string; ip: string | null }
  | { type: 'system'; id: string; ip: null };

export function permissionsOf(p: ApiPrincipal): Permission[] {
  switch (p.role) {
    case 'admin':
      return ['read', 'retrieve', 'download', 'manage'];
    case 'responder':
      return p.canDownload ? ['read', 'retrieve', 'download'] : ['read', 'retrieve'];
    case 'viewer':
      return ['read'];
  }
}

export function hasPermission(p: ApiPrincipal, permission: Permission): boolean {
  return permissionsOf(p).includes(permission);
}
