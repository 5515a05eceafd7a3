import type { ChunkVault, Clock, QuarryServices } from '@quarry/core';
import type { AgentHub } from '../agents/agent-hub.js';
import type { ServerConfig } from '../config/schema.js';
import type { EventBus } from '../events/event-bus.js';

/** What every route plugin receives as options (no global decorators: tests build it explicitly). */
export interface RouteContext {
  config: ServerConfig;
  services: QuarryServices;
  vault: ChunkVault;
  bus: EventBus;
  clock: Clock;
  hub: AgentHub;
  /** Base URL for absolute links: `config.publicUrl`, else the address actually bound. */
  publicUrl(): string;
  /** Long-lived responses (SSE, long polls) register here so shutdown can end them. */
  onShutdown(listener: () => void): () => void;
}
