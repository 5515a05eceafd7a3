// Messages between bench/fleet.ts and its simulated-agent worker processes (child_process IPC).

/** One simulated agent a worker hosts. */
export interface SimAgentSpec {
  index: number;
  /** Where agent.json is kept (reused between phases and runs of the same fleet). */
  stateDir: string;
  /** Nodes in order of preference. */
  servers: string[];
  /** Directory holding this agent's own files: command paths are mapped into it. */
  fileDir: string;
}

export type ToWorker =
  | { type: 'start'; agents: SimAgentSpec[]; enrollToken: string; enrollConcurrency: number }
  /** record: note arrival and drop the command (pure dispatch); run: also execute it. */
  | { type: 'mode'; mode: 'record' | 'run' }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'enrolled'; done: number }
  | { type: 'connected'; count: number }
  /** [taskId, agentIndex, receivedAtEpochMs] triples, batched. */
  | { type: 'received'; items: Array<[number, number, number]> }
  | { type: 'endpoints'; items: Array<[number, string]> }
  | { type: 'error'; message: string }
  | { type: 'stopped' };
