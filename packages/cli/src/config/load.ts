/**
 * The only module of the CLI that reads the environment. Flags win over env, env over defaults.
 */

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Environment variables the CLI understands. */
export const ENV_URL = 'QUARRY_URL';
export const ENV_API_KEY = 'QUARRY_API_KEY';

export interface CliConfig {
  url: string;
  /** Undefined when neither `--api-key` nor QUARRY_API_KEY is set; client commands then refuse to run. */
  apiKey: string | undefined;
}

export interface ConfigFlags {
  url?: string;
  apiKey?: string;
}

export function loadConfig(flags: ConfigFlags, env: Record<string, string | undefined> = process.env): CliConfig {
  const url = nonEmpty(flags.url) ?? nonEmpty(env[ENV_URL]) ?? DEFAULT_URL;
  const apiKey = nonEmpty(flags.apiKey) ?? nonEmpty(env[ENV_API_KEY]);
  return { url, apiKey };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
