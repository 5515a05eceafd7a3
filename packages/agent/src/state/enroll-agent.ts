import { AGENT_PATHS, type EnrollRequest, type EnrollResponse } from '@quarry/protocol';
import type { Logger } from 'pino';
import { ServerRejectedError, UnauthorizedError } from '../http/api-errors.js';
import { callWithRetry, DEFAULT_RETRY } from '../http/call-with-retry.js';
import { NetworkError, type HttpClient } from '../http/http-client.js';
import type { HostInfo } from '../host/host-info.js';
import { LOG } from '../logging/log-messages.js';
import { ensureStateDir, readAgentState, writeAgentState, type AgentState } from './agent-state.js';

/** Enrolment could not happen; the message is meant for the operator. */
export class EnrollError extends Error {
  override readonly name = 'EnrollError';
}

export const ENROLL_MESSAGES = {
  tokenRequired: (dir: string) => `agent is not enrolled (no agent.json in ${dir}); pass --enroll-token TOKEN`,
  rejected: (detail: string) => `enrolment refused by the server (${detail}); check the enrolment token`,
  unreachable: (detail: string) => `enrolment failed, server unreachable (${detail})`,
  badResponse: 'enrolment response lacks endpointId or credential',
} as const;

/** Inputs of loadOrEnroll. */
export interface LoadOrEnrollOptions {
  client: HttpClient;
  serverUrl: string;
  stateDir: string;
  enrollToken: string | undefined;
  host: HostInfo;
  logger: Logger;
  /** Attempts on network errors / 5xx before giving up (the server may still be starting). */
  attempts?: number;
  signal: AbortSignal;
}

/**
 * Returns the stored agent state, enrolling first when there is none. The credential is stored
 * before it is used, so a crash right after enrolment does not orphan a new endpoint.
 */
export async function loadOrEnroll(o: LoadOrEnrollOptions): Promise<AgentState> {
  await ensureStateDir(o.stateDir);
  const existing = await readAgentState(o.stateDir);
  if (existing) {
    o.logger.info({ endpointId: existing.endpointId }, LOG.stateLoaded);
    if (existing.serverUrl !== o.serverUrl) o.logger.warn({ enrolledWith: existing.serverUrl, serverUrl: o.serverUrl }, LOG.serverUrlChanged);
    return existing;
  }
  if (!o.enrollToken) throw new EnrollError(ENROLL_MESSAGES.tokenRequired(o.stateDir));
  const { agentVersion, hostname, os, osVersion, arch, ipAddresses } = o.host;
  const body: EnrollRequest = { enrollToken: o.enrollToken, hostname, os, osVersion, arch, agentVersion, ipAddresses };
  let res;
  try {
    res = await callWithRetry(
      o.client,
      { method: 'POST', path: AGENT_PATHS.enroll, body, anonymous: true, signal: o.signal },
      o.logger,
      { ...DEFAULT_RETRY, attempts: o.attempts ?? DEFAULT_RETRY.attempts },
    );
  } catch (err) {
    if (err instanceof UnauthorizedError) throw new EnrollError(ENROLL_MESSAGES.rejected('401'), { cause: err });
    if (err instanceof ServerRejectedError) throw new EnrollError(ENROLL_MESSAGES.rejected(err.message), { cause: err });
    if (err instanceof NetworkError) throw new EnrollError(ENROLL_MESSAGES.unreachable(err.message), { cause: err });
    throw err;
  }
  const r = res.body as Partial<EnrollResponse> | null;
  if (!r || typeof r.endpointId !== 'string' || typeof r.credential !== 'string') throw new EnrollError(ENROLL_MESSAGES.badResponse);
  const state: AgentState = { serverUrl: o.serverUrl, endpointId: r.endpointId, credential: r.credential };
  await writeAgentState(o.stateDir, state);
  o.logger.info({ endpointId: state.endpointId, hostname }, LOG.enrolled);
  return state;
}
