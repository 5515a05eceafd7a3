// A worker process of `npm run bench:fleet`: hosts many simulated agents, each built from the
// real agent's modules (HTTP client, enrolment, WebSocket control channel with failover, command
// runner, chunked upload). Only the process around them is shared, and command paths are mapped
// into each agent's own directory so every agent sends a file of its own.
import { basename, join } from 'node:path';
import pino from 'pino';
import type { AgentMessage, RetrievalCommand, ServerMessage } from '@quarry/protocol';
import { HttpClient } from '../../packages/agent/src/http/http-client.js';
import { DEFAULT_RETRY } from '../../packages/agent/src/http/call-with-retry.js';
import { collectHostInfo } from '../../packages/agent/src/host/host-info.js';
import { createPathPolicy } from '../../packages/agent/src/policy/path-policy.js';
import { AgentApi } from '../../packages/agent/src/retrieval/agent-api.js';
import { CommandRunner } from '../../packages/agent/src/retrieval/command-runner.js';
import { loadOrEnroll } from '../../packages/agent/src/state/enroll-agent.js';
import { ControlChannel, DEFAULT_CHANNEL_TUNING } from '../../packages/agent/src/transport/control-channel.js';
import { ServerList } from '../../packages/agent/src/transport/server-list.js';
import type { FromWorker, SimAgentSpec, ToWorker } from './ipc.js';

const logger = pino({ level: process.env.BENCH_AGENT_LOG_LEVEL ?? 'error' });
const host = collectHostInfo();
let mode: 'record' | 'run' = 'record';
const channels: ControlChannel[] = [];
const runners: CommandRunner[] = [];
let connected = 0;
let received: Array<[number, number, number]> = [];

const send = (m: FromWorker): void => void process.send!(m);
setInterval(() => {
  if (received.length === 0) return;
  send({ type: 'received', items: received });
  received = [];
}, 100).unref();

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function startOne(spec: SimAgentSpec, enrollToken: string): Promise<[number, string]> {
  const servers = new ServerList(spec.servers);
  const client = new HttpClient(servers.current, null);
  const state = await loadOrEnroll({
    client, serverUrl: servers.current, stateDir: spec.stateDir, enrollToken, host: { ...host, hostname: `sim-${spec.index}` }, logger,
    attempts: 20, signal: new AbortController().signal,
  });
  client.setCredential(state.credential);
  const api = new AgentApi(client, logger, DEFAULT_RETRY);
  const runner = new CommandRunner({ api, limits: { policy: createPathPolicy({ allow: [], deny: [] }), maxSizeBytes: null }, logger });
  runners.push(runner);
  const hello: AgentMessage = { type: 'hello', agentVersion: host.agentVersion, hostname: `sim-${spec.index}`, os: host.os, osVersion: host.osVersion, arch: host.arch, ipAddresses: [] };
  let welcomed = false;
  const onMessage = (message: ServerMessage): void => {
    if (message.type === 'welcome' && !welcomed) {
      welcomed = true;
      connected += 1;
    } else if (message.type === 'retrieve') {
      received.push([message.command.taskId, spec.index, Date.now()]);
      if (mode === 'run') runner.submit(mapPaths(message.command, spec.fileDir));
    } else if (message.type === 'cancel') runner.cancel(message.subtaskId, message.attempt);
  };
  const channel = new ControlChannel({ client, transport: 'ws', hello, heartbeatMs: null, onMessage, logger, tuning: DEFAULT_CHANNEL_TUNING, servers });
  channels.push(channel);
  channel.start();
  return [spec.index, state.endpointId];
}

function mapPaths(command: RetrievalCommand, dir: string): RetrievalCommand {
  return { ...command, files: command.files.map((f) => ({ ...f, path: join(dir, basename(f.path)) })) };
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'mode') mode = m.mode;
  else if (m.type === 'stop') {
    void Promise.allSettled([...channels.map((c) => c.stop()), ...runners.map((r) => r.stop())]).then(() => {
      send({ type: 'stopped' });
      process.exit(0);
    });
  } else if (m.type === 'start') {
    const endpoints: Array<[number, string]> = [];
    let done = 0;
    void pool(m.agents, m.enrollConcurrency, async (spec) => {
      endpoints.push(await startOne(spec, m.enrollToken));
      done += 1;
      if (done % 500 === 0) send({ type: 'enrolled', done });
    }).then(
      () => {
        send({ type: 'endpoints', items: endpoints });
        const timer = setInterval(() => {
          send({ type: 'connected', count: connected });
          if (connected >= m.agents.length) clearInterval(timer);
        }, 500);
      },
      (err: unknown) => send({ type: 'error', message: String((err as Error).stack ?? err) }),
    );
  }
});
