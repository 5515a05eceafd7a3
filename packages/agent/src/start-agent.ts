import type { AgentMessage, ServerMessage } from '@quarry/protocol';
import type { AgentOptions } from './config/agent-options.js';
import { HttpClient } from './http/http-client.js';
import { DEFAULT_RETRY } from './http/call-with-retry.js';
import { collectHostInfo } from './host/host-info.js';
import { createAgentLogger } from './logging/create-logger.js';
import { LOG } from './logging/log-messages.js';
import { createPathPolicy } from './policy/path-policy.js';
import { AgentApi } from './retrieval/agent-api.js';
import { CommandRunner } from './retrieval/command-runner.js';
import { loadOrEnroll } from './state/enroll-agent.js';
import { ControlChannel, DEFAULT_CHANNEL_TUNING, type ChannelState } from './transport/control-channel.js';
import { ServerList } from './transport/server-list.js';
import { enrollOnAnyServer } from './state/enroll-on-any-server.js';

/** A started agent. */
export interface RunningAgent {
  /** The endpoint id from enrolment (32 lower-hex). */
  readonly endpointId: string;
  /** What the control channel is doing: 'connecting' | 'ws' | 'poll' | 'stopped'. */
  channelState(): ChannelState;
  /** Retrieval attempts queued or running. */
  activeSubtasks(): number;
  /** Closes the control channel, aborts running retrievals and waits for them. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the agent in this process: enrols if the state dir holds no agent.json (or reuses it),
 * then keeps a control channel open and runs retrieval commands until `stop()`. Rejects when
 * enrolment or the state directory fails (EnrollError, StateDirError). Used by the CLI, by
 * embedding (server --with-local-agent) and by tests.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const logger = options.logger ?? createAgentLogger(options);
  const { retry, enrollAttempts, ...channelTuning } = options.tuning ?? {};
  const servers = new ServerList(options.serverUrls ?? [options.serverUrl]);
  const client = new HttpClient(servers.current, null);
  const host = collectHostInfo();
  logger.info(
    { agentVersion: host.agentVersion, serverUrls: servers.urls, stateDir: options.stateDir, transport: options.transport },
    LOG.agentStarting,
  );
  let state;
  try {
    state = await enrollOnAnyServer(servers, client, logger, (serverUrl) => loadOrEnroll({
      client,
      serverUrl,
      stateDir: options.stateDir,
      enrollToken: options.enrollToken,
      host,
      logger,
      attempts: enrollAttempts,
      signal: new AbortController().signal,
    }));
  } catch (err) {
    logger.error({ err: (err as Error).message }, LOG.agentStartFailed);
    client.close();
    throw err;
  }
  client.setCredential(state.credential);
  const api = new AgentApi(client, logger, retry ?? DEFAULT_RETRY);
  const policy = createPathPolicy({ allow: options.allow, deny: options.deny });
  const runner = new CommandRunner({ api, limits: { policy, maxSizeBytes: options.maxSizeBytes }, logger });
  const { agentVersion, hostname, os, osVersion, arch, ipAddresses } = host;
  const hello: AgentMessage = { type: 'hello', agentVersion, hostname, os, osVersion, arch, ipAddresses };
  const onMessage = (message: ServerMessage) => {
    if (message.type === 'retrieve' || message.type === 'sweep') runner.submit(message.command);
    else if (message.type === 'cancel') runner.cancel(message.subtaskId, message.attempt);
  };
  const channel = new ControlChannel({
    client,
    transport: options.transport,
    hello,
    heartbeatMs: options.heartbeatSeconds === null ? null : options.heartbeatSeconds * 1000,
    onMessage,
    logger,
    tuning: { ...DEFAULT_CHANNEL_TUNING, ...channelTuning },
    servers,
  });
  channel.start();
  let stopping: Promise<void> | undefined;
  return {
    endpointId: state.endpointId,
    channelState: () => channel.state,
    activeSubtasks: () => runner.activeCount,
    stop() {
      stopping ??= (async () => {
        await channel.stop();
        await runner.stop();
        client.close();
        logger.info({ endpointId: state.endpointId }, LOG.agentStopped);
      })();
      return stopping;
    },
  };
}
