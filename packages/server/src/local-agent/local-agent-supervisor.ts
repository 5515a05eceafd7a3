import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Logger } from '@quarry/core';
import { STATE_FILE } from '@quarry/agent/state-file';
import { environmentForChildren } from '../config/load.js';

/** Restart delays for a local agent that keeps exiting: 1 s doubling to 60 s. */
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 60_000;
/** A run this long counts as healthy and resets the back-off. */
const HEALTHY_RUN_MS = 60_000;
/** How long the agent gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5000;
/** The agent's equivalent of `--enroll-token`. */
const ENROLL_TOKEN_ENV = 'QUARRY_AGENT_ENROLL_TOKEN';

/** The agent launcher script, found through the package (or the monorepo layout as a fallback). */
export function agentBinPath(): string {
  try {
    return fileURLToPath(new URL('../bin/quarry-agent.js', import.meta.resolve('@quarry/agent')));
  } catch {
    return fileURLToPath(new URL('../../../agent/bin/quarry-agent.js', import.meta.url));
  }
}

export interface LocalAgentOptions {
  serverUrl: string;
  stateDir: string;
  /** A fresh one-time enrolment token; only called while the agent is not enrolled yet. */
  createEnrollToken(): Promise<string>;
  logger: Logger;
  /** The agent's log level (it logs to the inherited stderr). */
  logLevel: string;
}

/** The agent for this machine, run as a child process and restarted with back-off when it dies. */
export interface LocalAgentSupervisor {
  stop(): Promise<void>;
}

export function startLocalAgent(options: LocalAgentOptions): LocalAgentSupervisor {
  const log = options.logger.child({ component: 'local-agent' });
  let child: ChildProcess | null = null;
  let stopping = false;
  let delay = RESTART_MIN_MS;
  let restartTimer: NodeJS.Timeout | null = null;

  const launch = async (): Promise<void> => {
    restartTimer = null;
    if (stopping) return;
    const args = [agentBinPath(), '--server', options.serverUrl, '--state-dir', options.stateDir, '--log-level', options.logLevel, '--exit-on-stdin-close'];
    const env = environmentForChildren();
    delete env[ENROLL_TOKEN_ENV];
    try {
      // Through the environment rather than --enroll-token: argv is visible to every local user.
      if (!existsSync(join(options.stateDir, STATE_FILE))) env[ENROLL_TOKEN_ENV] = await options.createEnrollToken();
    } catch (err) {
      log.error({ err }, 'local agent enrolment token could not be created');
      return scheduleRestart();
    }
    if (stopping) return;
    const startedAt = Date.now();
    // The agent's stdin is a pipe this process never writes to: when this process dies, even by
    // SIGKILL, the kernel closes it and the agent stops instead of living on as an orphan.
    const proc = spawn(process.execPath, args, { stdio: ['pipe', 'inherit', 'inherit'], env });
    child = proc;
    proc.stdin?.on('error', () => {}); // EPIPE once the agent is gone; nothing is ever written
    log.info({ agentPid: proc.pid }, 'local agent started');
    proc.on('error', (err) => log.error({ err }, 'local agent could not be started'));
    proc.on('exit', (code, signal) => {
      if (child === proc) child = null;
      if (stopping) return;
      if (Date.now() - startedAt >= HEALTHY_RUN_MS) delay = RESTART_MIN_MS;
      log.warn({ code, signal, restartInMs: delay }, 'local agent exited; restarting');
      scheduleRestart();
    });
  };
  const scheduleRestart = (): void => {
    if (stopping) return;
    restartTimer = setTimeout(() => void launch(), delay);
    restartTimer.unref();
    delay = Math.min(delay * 2, RESTART_MAX_MS);
  };

  void launch();
  return {
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    },
  };
}
