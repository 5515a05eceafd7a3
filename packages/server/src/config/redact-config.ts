import { SECRET_CONFIG_KEYS, type ServerConfig } from './schema.js';
import { redactUrlPassword } from './store-locations.js';

/** What a set secret is printed as. */
export const REDACTED = '[redacted]';

/**
 * A copy of `config` safe to print (`quarry config print --redacted`) or log: secrets that are
 * set become `[redacted]`, unset ones stay `null` so the output still tells which are configured.
 */
export function redactConfig(config: ServerConfig): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(config) as Record<string, unknown>;
  for (const key of SECRET_CONFIG_KEYS) if (copy[key] !== null && copy[key] !== undefined) copy[key] = REDACTED;
  if (typeof copy.databaseUrl === 'string') copy.databaseUrl = redactUrlPassword(copy.databaseUrl);
  return copy;
}
