import { setFlagsFromString } from 'node:v8';

/** Agents connected to one node from which its young generation may grow again. */
export const MANY_AGENTS_PER_NODE = 1000;
const CHECK_INTERVAL_MS = 10_000;
/** V8's own default. */
const GROWTH_FLAG = '--semi-space-growth-factor=2';

export interface YoungGenerationPolicy {
  stop(): void;
}

/**
 * The launcher starts the server with V8's young generation held at 2 MiB (see server-heap.js in
 * @quarry/launcher). That is right for a node moving large files for a few agents, where it keeps
 * peak memory about 25 MiB lower. With thousands of agent connections it is not: their
 * short-lived objects outlive so small a generation and pile up in the old one. At 10,000 agents
 * on two nodes the old space held 172 instead of 89 MiB (bench:fleet). So once
 * `connectedAgents()` reaches `threshold`, V8's default growth is restored. This happens once
 * for the life of the process: a young generation that has grown is not shrunk again.
 */
export function watchConnectedAgents(
  connectedAgents: () => number,
  onGrow: (agents: number) => void,
  { threshold = MANY_AGENTS_PER_NODE, intervalMs = CHECK_INTERVAL_MS }: { threshold?: number; intervalMs?: number } = {},
): YoungGenerationPolicy {
  const timer = setInterval(() => {
    const agents = connectedAgents();
    if (agents < threshold) return;
    clearInterval(timer);
    setFlagsFromString(GROWTH_FLAG);
    onGrow(agents);
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
