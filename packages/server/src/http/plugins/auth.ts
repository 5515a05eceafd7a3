import { appError, hasPermission, type Actor, type AgentPrincipal, type ApiPrincipal, type AuthService, type Permission } from '@quarry/core';
import { AGENT_KEY_PREFIX, API_KEY_PREFIX } from '@quarry/protocol';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';

/** Who may call a route: nobody needs a credential, an API key (qk_) is needed, or an agent key (qa_). */
export type AuthPolicy = 'public' | 'api' | 'agent';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Derived from the URL when omitted: /agent/* → agent, /api/* → api, /healthz and /api/docs → public. */
    auth?: AuthPolicy;
    /** Required on every `api` route: what the credential's role must allow. */
    permission?: Permission;
  }
  interface FastifyRequest {
    /** Set by the auth hook on `api` and `agent` routes. */
    principal: ApiPrincipal | AgentPrincipal | null;
  }
}

const PUBLIC_PREFIXES = ['/healthz', '/api/docs'];

/** Returns the key of an `Authorization: Bearer <key>` header, or null. */
export function bearerKey(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

/** The policy a route gets; throws at registration when an API route forgets its permission (deny by default). */
export function policyOf(route: Pick<RouteOptions, 'url' | 'config'>): AuthPolicy {
  const config = (route.config ?? {}) as { auth?: AuthPolicy; permission?: Permission };
  const url = route.url;
  const policy: AuthPolicy =
    config.auth ??
    (PUBLIC_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`)) ? 'public' : url.startsWith('/agent/') ? 'agent' : url.startsWith('/api/') ? 'api' : 'public');
  if (policy === 'api' && !config.permission) throw new Error(`route ${url} needs config.permission`);
  return policy;
}

/** Authenticates an agent key from a header value; used by HTTP routes and the WebSocket upgrade. */
export async function authenticateAgentHeader(auth: AuthService, header: string | undefined): Promise<AgentPrincipal> {
  const key = bearerKey(header);
  if (key?.startsWith(API_KEY_PREFIX)) throw appError('AGENT_CREDENTIAL_REQUIRED');
  if (!key?.startsWith(AGENT_KEY_PREFIX)) throw appError('UNAUTHENTICATED');
  const principal = await auth.authenticateAgent(key);
  if (!principal) throw appError('UNAUTHENTICATED');
  return principal;
}

async function authenticateApiHeader(auth: AuthService, header: string | undefined, permission: Permission): Promise<ApiPrincipal> {
  const key = bearerKey(header);
  if (key?.startsWith(AGENT_KEY_PREFIX)) throw appError('API_CREDENTIAL_REQUIRED');
  if (!key?.startsWith(API_KEY_PREFIX)) throw appError('UNAUTHENTICATED');
  const principal = await auth.authenticateApiKey(key);
  if (!principal) throw appError('UNAUTHENTICATED');
  if (!hasPermission(principal, permission)) throw appError('FORBIDDEN', { permission });
  return principal;
}

/**
 * Installs authentication for every route registered afterwards. It runs in `onRequest`, before
 * any body is read, so an unauthenticated chunk upload is refused without receiving its bytes.
 */
export function installAuth(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), auth: policyOf(route) };
  });
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config as { auth?: AuthPolicy; permission?: Permission };
    if (config.auth === 'api') {
      request.principal = await authenticateApiHeader(auth, request.headers.authorization, config.permission as Permission);
    } else if (config.auth === 'agent') {
      request.principal = await authenticateAgentHeader(auth, request.headers.authorization);
    }
  });
}

/** The client address as an Actor records it. */
export const ipOf = (request: FastifyRequest): string | null => request.ip || null;

/** The Actor for a service call made by this request's authenticated principal. */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  if (!p) throw new Error('actorOf called on a route without authentication');
  return { ...p, ip: ipOf(request) };
}

/** The authenticated API principal (api routes only). */
export function apiPrincipalOf(request: FastifyRequest): ApiPrincipal {
  const p = request.principal;
  if (p?.type !== 'credential') throw new Error('route is not an api route');
  return p;
}

/** The endpoint id of the authenticated agent (agent routes only). */
export function agentEndpointOf(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.type !== 'agent') throw new Error('route is not an agent route');
  return p.endpointId;
}
