import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { OsFamily } from '@quarry/protocol';

/** What the agent tells the server about its host, at enrolment and in `hello`. */
export interface HostInfo {
  hostname: string;
  os: OsFamily;
  osVersion: string;
  arch: string;
  agentVersion: string;
  ipAddresses: string[];
}

/** The protocol caps addresses at 64. */
const MAX_ADDRESSES = 64;

/** The agent's version, from its package.json. */
export const AGENT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Maps Node's platform to the protocol's OS family; other Unixes report as linux, the closest family. */
export function osFamilyOf(platform: NodeJS.Platform): OsFamily {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  return 'linux';
}

/** Non-internal IPv4 and IPv6 addresses, de-duplicated, link-local IPv6 zone ids kept out. */
export function externalAddresses(interfaces = os.networkInterfaces()): string[] {
  const seen = new Set<string>();
  for (const list of Object.values(interfaces)) {
    for (const addr of list ?? []) {
      if (addr.internal) continue;
      seen.add(addr.address.split('%')[0]!);
    }
  }
  return [...seen].slice(0, MAX_ADDRESSES);
}

/** Collects the host description now (addresses can change between runs). */
export function collectHostInfo(): HostInfo {
  const version = `${os.version()} ${os.release()}`.trim();
  return {
    hostname: os.hostname().slice(0, 255) || 'unknown',
    os: osFamilyOf(process.platform),
    osVersion: version.slice(0, 200),
    arch: process.arch,
    agentVersion: AGENT_VERSION,
    ipAddresses: externalAddresses(),
  };
}
