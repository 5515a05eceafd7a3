import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { ConfigSchema, type ServerConfig } from './schema.js';
import { storeLocationProblems, resolveDatabaseUrl } from './store-locations.js';

/**
 * The only module of the server that reads `process.env` (and only when the caller passes no env).
 * Precedence: schema defaults < JSON config file (`--config`) < env `QUARRY_*` < CLI flags.
 */

/** Every problem found while loading; the server reports them all at once and refuses to start. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadConfigInput {
  /** CLI flags (without the command name), e.g. `['--port', '9000', '--with-local-agent']`. */
  argv?: readonly string[];
  /** Defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative paths; defaults to `process.cwd()`. */
  cwd?: string;
  /** Settings applied under the file, env and flags (e.g. `{ localAgent: true }` for `quarry start`). */
  base?: Record<string, unknown>;
}

type Source = 'default' | 'file' | 'env' | 'flag' | 'base';
interface Layer {
  values: Record<string, unknown>;
  sources: Map<string, string>;
}

const PROPERTIES = ConfigSchema.properties as Record<string, TSchema>;
/** Top-level keys settable as plain strings from env and flags (the database has its own). */
const SCALAR_KEYS = Object.keys(PROPERTIES).filter((k) => k !== 'database');
/** Secrets: also accepted as `QUARRY_<KEY>_FILE`, never as flags (argv is visible to every local user). */
const FILE_KEYS = new Set(['adminKey', 'masterKey']);
const FLAG_KEYS = SCALAR_KEYS.filter((k) => !FILE_KEYS.has(k));

export const toEnvName = (key: string): string => `QUARRY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
export const toFlagName = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Loads, validates and deep-freezes the configuration. Throws ConfigError listing every problem. */
export function loadConfig(input: LoadConfigInput = {}): ServerConfig {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const problems: string[] = [];
  const flags = parseFlags(input.argv ?? [], problems);
  const layers: Layer[] = [];
  if (input.base) layers.push(layerOf(input.base, 'base'));
  const file = flags.configFile ?? env.QUARRY_CONFIG;
  if (file) layers.push(readConfigFile(resolve(cwd, file), problems));
  layers.push(readEnv(env, problems));
  layers.push(flags.layer);

  const merged: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.values)) {
      merged[key] = key === 'database' ? { ...(merged.database as object | undefined), ...(value as object) } : value;
    }
    for (const [k, s] of layer.sources) sources.set(k, s);
  }
  const withDefaults = Value.Default(ConfigSchema, Value.Clone(merged)) as Record<string, unknown>;
  for (const err of Value.Errors(ConfigSchema, withDefaults)) {
    if (err.keyword === 'boolean' && err.schemaPath.endsWith('additionalProperties')) continue;
    problems.push(describeProblem(err.instancePath, err.message, err.params, sources));
  }
  problems.push(...storeLocationProblems(withDefaults, sources));
  if (problems.length === 0) problems.push(...crossFieldProblems(withDefaults as ServerConfig));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(resolvePaths(withDefaults as ServerConfig, cwd));
}

function describeProblem(instancePath: string, message: string, params: unknown, sources: Map<string, string>): string {
  const key = instancePath.replace(/^\//, '').replace(/\//g, '.');
  const extra = (params as { additionalProperties?: string[] }).additionalProperties;
  if (extra) return `unknown setting ${extra.map((e) => JSON.stringify(key ? `${key}.${e}` : e)).join(', ')}`;
  const from = sources.get(key);
  return `${key || '(config)'}${from ? ` (from ${from})` : ''}: ${message}`;
}

function crossFieldProblems(c: ServerConfig): string[] {
  const out: string[] = [];
  if (c.linkTtlSeconds > c.maxLinkTtlSeconds) out.push('linkTtlSeconds: must not exceed maxLinkTtlSeconds');
  if (c.heartbeatIntervalSeconds >= c.onlineWindowSeconds) {
    out.push('heartbeatIntervalSeconds: must be shorter than onlineWindowSeconds, or online endpoints would flap offline');
  }
  return out;
}

function resolvePaths(c: ServerConfig, cwd: string): ServerConfig {
  const dataDir = resolve(cwd, c.dataDir);
  const dbPath = c.database.path === '' ? join(dataDir, 'quarry.db') : isAbsolute(c.database.path) ? c.database.path : resolve(cwd, c.database.path);
  return { ...c, dataDir, publicUrl: c.publicUrl.replace(/\/+$/, ''), ...resolveDatabaseUrl(c.databaseUrl, { ...c.database, path: dbPath }, cwd) };
}

function layerOf(values: Record<string, unknown>, source: Source): Layer {
  return { values: { ...values }, sources: new Map(Object.keys(values).map((k) => [k, source])) };
}

function readConfigFile(path: string, problems: string[]): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return layerOf({}, 'file');
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    const layer = layerOf(parsed as Record<string, unknown>, 'file');
    for (const k of layer.sources.keys()) layer.sources.set(k, `config file ${path}`);
    return layer;
  } catch (err) {
    problems.push(`config file ${path}: is not a JSON object (${(err as Error).message})`);
    return layerOf({}, 'file');
  }
}

/** Turns a string from env or argv into the schema's type (numbers, booleans); invalid stays a string and fails validation. */
function convert(key: string, raw: string): unknown {
  const schema = PROPERTIES[key];
  return schema ? Value.Convert(schema, raw) : raw;
}

function readEnv(env: Readonly<Record<string, string | undefined>>, problems: string[]): Layer {
  const layer: Layer = { values: {}, sources: new Map() };
  for (const key of SCALAR_KEYS) {
    const name = toEnvName(key);
    const direct = env[name];
    const fileName = FILE_KEYS.has(key) ? env[`${name}_FILE`] : undefined;
    if (direct !== undefined && direct !== '' && fileName) {
      problems.push(`${key}: set either ${name} or ${name}_FILE, not both`);
      continue;
    }
    if (fileName) {
      try {
        layer.values[key] = readFileSync(fileName, 'utf8').trim();
        layer.sources.set(key, `${name}_FILE`);
      } catch (err) {
        problems.push(`${key} (from ${name}_FILE): cannot read ${fileName} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    } else if (direct !== undefined && direct !== '') {
      layer.values[key] = convert(key, direct);
      layer.sources.set(key, name);
    }
  }
  if (env.QUARRY_DATABASE_PATH) {
    layer.values.database = { path: env.QUARRY_DATABASE_PATH };
    layer.sources.set('database.path', 'QUARRY_DATABASE_PATH');
  }
  return layer;
}

interface ParsedFlags {
  layer: Layer;
  configFile: string | undefined;
}

function parseFlags(argv: readonly string[], problems: string[]): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    config: { type: 'string' },
    'with-local-agent': { type: 'boolean' },
    'database-path': { type: 'string' },
  };
  for (const key of FLAG_KEYS) options[toFlagName(key)] = { type: (PROPERTIES[key] as { type?: unknown } | undefined)?.type === 'boolean' ? 'boolean' : 'string' };
  const layer: Layer = { values: {}, sources: new Map() };
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, allowNegative: true }).values as typeof parsed;
  } catch (err) {
    problems.push(`command line: ${(err as Error).message}`);
    return { layer, configFile: undefined };
  }
  for (const key of FLAG_KEYS) {
    const v = parsed[toFlagName(key)];
    if (v === undefined) continue;
    layer.values[key] = typeof v === 'string' ? convert(key, v) : v;
    layer.sources.set(key, `--${toFlagName(key)}`);
  }
  if (parsed['with-local-agent'] === true) {
    layer.values.localAgent = true;
    layer.sources.set('localAgent', '--with-local-agent');
  }
  if (typeof parsed['database-path'] === 'string') {
    layer.values.database = { path: parsed['database-path'] };
    layer.sources.set('database.path', '--database-path');
  }
  return { layer, configFile: typeof parsed.config === 'string' ? parsed.config : undefined };
}

/** Freezes `value` and everything reachable from it, so no module can change settings at run time. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Variables holding the server's own secrets; children it spawns must not inherit them. */
export const SERVER_SECRET_ENV = ['QUARRY_ADMIN_KEY', 'QUARRY_ADMIN_KEY_FILE', 'QUARRY_MASTER_KEY', 'QUARRY_MASTER_KEY_FILE'] as const;

/**
 * The environment for child processes (the local agent): this process's, without the server's
 * secrets. Lives here because this module is the only one that reads process.env.
 */
export function environmentForChildren(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of SERVER_SECRET_ENV) delete env[k];
  return env;
}
