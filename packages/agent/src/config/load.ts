import path from 'node:path';
import { globProblem } from '../policy/path-policy.js';
import { LOG_LEVELS, TRANSPORTS, type AgentOptions, type LogLevel } from './agent-options.js';
import { defaultStateDir } from './default-state-dir.js';
import { parseSize } from './parse-size.js';
import { DEFAULT_LOG_ROTATION } from '../logging/create-logger.js';
import { CONFIG_MESSAGES as M } from './usage.js';
import type { TransportMode } from '../transport/control-channel.js';
import { splitServerValues } from '../transport/server-list.js';

/** Flags taking a value; `allow` and `deny` may repeat. */
const VALUE_FLAGS = [
  'server',
  'enroll-token',
  'state-dir',
  'allow',
  'deny',
  'max-size',
  'transport',
  'heartbeat-seconds',
  'log-file',
  'log-level',
  'log-max-size',
  'log-keep',
] as const;
/** Flags without a value; their variables take 1/true/yes or 0/false/no. */
const BOOLEAN_FLAGS = ['exit-on-stdin-close'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];
type BooleanFlag = (typeof BOOLEAN_FLAGS)[number];
type Flag = ValueFlag | BooleanFlag;
/** Rotation below this would rotate every few lines. */
const MIN_LOG_MAX_BYTES = 64 * 1024;
const MAX_LOG_KEEP = 100;
const REPEATABLE: ReadonlySet<Flag> = new Set(['allow', 'deny', 'server']);

/** Result of loading the configuration. */
export type LoadResult =
  | { kind: 'ok'; options: AgentOptions }
  | { kind: 'help' }
  | { kind: 'invalid'; problems: string[] };

/** Environment variable for a flag: `--state-dir` -> QUARRY_AGENT_STATE_DIR. */
export function envNameOf(flag: Flag): string {
  return `QUARRY_AGENT_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * Builds validated agent options from command-line arguments (without node and script) and the
 * environment. The only module that reads process.env. Flags win over QUARRY_AGENT_* variables;
 * every problem is collected and reported at once; the result is frozen.
 */
export function loadAgentConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): LoadResult {
  const problems: string[] = [];
  const flags = parseFlags(argv, problems);
  if (flags === 'help') return { kind: 'help' };
  const single = (flag: ValueFlag): string | undefined => flags.get(flag)?.[0] ?? nonEmpty(env[envNameOf(flag)]);
  const bool = (flag: BooleanFlag): boolean =>
    flags.has(flag) || (optional(nonEmpty(env[envNameOf(flag)]), parseBoolean, (v) => M.boolean(envNameOf(flag), v), problems) ?? false);
  const list = (flag: ValueFlag): string[] => flags.get(flag) ?? envList(env[envNameOf(flag)], envNameOf(flag), problems);

  const serverUrls = validateServers(flags.get('server') ?? [nonEmpty(env[envNameOf('server')])].filter((v) => v !== undefined), problems);
  const serverUrl = serverUrls[0];
  const enrollToken = single('enroll-token');
  const stateDir = path.resolve(single('state-dir') ?? defaultStateDir(platform, env.ProgramData ?? env.PROGRAMDATA));
  const allow = validateGlobs('allow', list('allow'), platform, problems);
  const deny = validateGlobs('deny', list('deny'), platform, problems);
  const maxSizeBytes = optional(single('max-size'), (v) => parseSize(v), M.maxSize, problems) ?? null;
  const transport =
    optional(single('transport'), (v) => (TRANSPORTS.includes(v as TransportMode) ? (v as TransportMode) : undefined), M.transport, problems) ??
    'auto';
  const heartbeatSeconds = optional(single('heartbeat-seconds'), parseHeartbeat, M.heartbeat, problems) ?? null;
  const logFileRaw = single('log-file');
  const logLevel =
    optional(single('log-level'), (v) => (LOG_LEVELS.includes(v as LogLevel) ? (v as LogLevel) : undefined), M.logLevel, problems) ??
    'info';
  const logMaxBytes = optional(single('log-max-size'), (v) => atLeast(parseSize(v), MIN_LOG_MAX_BYTES), M.logMaxSize, problems);
  const logKeep = optional(single('log-keep'), (v) => (/^\d+$/.test(v) && Number(v) <= MAX_LOG_KEEP ? Number(v) : undefined), M.logKeep, problems);
  const exitOnStdinClose = bool('exit-on-stdin-close');
  if (problems.length > 0 || serverUrl === undefined) return { kind: 'invalid', problems };
  const options: AgentOptions = {
    serverUrl,
    serverUrls: Object.freeze(serverUrls),
    enrollToken,
    stateDir,
    allow: Object.freeze(allow),
    deny: Object.freeze(deny),
    maxSizeBytes,
    transport,
    heartbeatSeconds,
    logFile: logFileRaw === undefined ? undefined : path.resolve(logFileRaw),
    logLevel,
    logRotation: Object.freeze({ maxBytes: logMaxBytes ?? DEFAULT_LOG_ROTATION.maxBytes, keep: logKeep ?? DEFAULT_LOG_ROTATION.keep }),
    exitOnStdinClose,
  };
  return { kind: 'ok', options: Object.freeze(options) };
}

function parseFlags(argv: readonly string[], problems: string[]): Map<Flag, string[]> | 'help' {
  const flags = new Map<Flag, string[]>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return 'help';
    if (!arg.startsWith('--')) {
      problems.push(M.unexpectedArgument(arg));
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!(VALUE_FLAGS as readonly string[]).includes(name) && !(BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      problems.push(M.unknownOption(name));
      continue;
    }
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (eq !== -1) problems.push(M.noValue(name));
      else flags.set(name as BooleanFlag, []);
      continue;
    }
    const flag = name as ValueFlag;
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[(i += 1)];
    if (value === undefined) {
      problems.push(M.missingValue(flag));
      continue;
    }
    if (value === '') {
      problems.push(M.emptyValue(flag));
      continue;
    }
    const values = flags.get(flag) ?? [];
    if (values.length > 0 && !REPEATABLE.has(flag)) problems.push(M.repeated(flag));
    values.push(value);
    flags.set(flag, values);
  }
  return flags;
}

/** Every `--server` value (repeated, or comma-separated), validated; empty when any is invalid. */
function validateServers(values: readonly string[], problems: string[]): string[] {
  const raw = splitServerValues(values);
  if (raw.length === 0) {
    validateServer(undefined, problems); // reports "--server is required"
    return [];
  }
  const urls = raw.map((v) => validateServer(v, problems));
  return urls.every((u) => u !== undefined) ? [...new Set(urls)] : [];
}

function validateServer(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) {
    problems.push(M.serverRequired);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(M.serverInvalid(raw));
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username) {
    problems.push(M.serverInvalid(raw));
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}

function validateGlobs(flag: 'allow' | 'deny', globs: string[], platform: NodeJS.Platform, problems: string[]): string[] {
  for (const g of globs) {
    const problem = globProblem(g, platform);
    if (problem) problems.push(M.glob(flag, g, problem));
  }
  return globs;
}

function envList(raw: string | undefined, name: string, problems: string[]): string[] {
  const value = nonEmpty(raw);
  if (value === undefined) return [];
  if (!value.trimStart().startsWith('[')) return [value];
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.every((g) => typeof g === 'string' && g.length > 0)) return parsed as string[];
  } catch {
    // reported below
  }
  problems.push(M.envList(name));
  return [];
}

function optional<T>(raw: string | undefined, parse: (v: string) => T | undefined, message: (v: string) => string, problems: string[]): T | undefined {
  if (raw === undefined) return undefined;
  const value = parse(raw);
  if (value === undefined) problems.push(message(raw));
  return value;
}

function parseBoolean(v: string): boolean | undefined {
  const lower = v.toLowerCase();
  if (['1', 'true', 'yes'].includes(lower)) return true;
  if (['0', 'false', 'no'].includes(lower)) return false;
  return undefined;
}

function atLeast(n: number | undefined, min: number): number | undefined {
  return n !== undefined && n >= min ? n : undefined;
}

function parseHeartbeat(v: string): number | undefined {
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 3600 ? n : undefined;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
