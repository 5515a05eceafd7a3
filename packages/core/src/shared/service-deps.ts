import type { ChunkVault } from '../ports/chunk-vault.js';
import type { Clock } from '../ports/clock.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Logger } from '../ports/logger.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { Secrets } from '../ports/secrets.js';
import type { EngineSettings } from '../services/engine-settings.js';

/** Everything the use cases need from outside core, injected once by the composition root. */
export interface ServiceDeps {
  store: QuarryStore;
  vault: ChunkVault;
  secrets: Secrets;
  clock: Clock;
  events: EventPublisher;
  logger: Logger;
  settings: EngineSettings;
}
