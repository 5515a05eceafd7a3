import { compileGlob } from './glob.js';

/** Which paths the agent may read. Deny globs win over allow globs; no allow globs means allow all. */
export interface PathPolicy {
  isAllowed(normalisedPath: string): boolean;
  /** True when a deny glob matches: used on the symlink-resolved path too, where only deny applies. */
  isDenied(normalisedPath: string): boolean;
}

/** Inputs of a path policy. */
export interface PathPolicyOptions {
  allow: readonly string[];
  deny: readonly string[];
  platform?: NodeJS.Platform;
}

export const GLOB_PROBLEM = 'must be absolute (start with / on POSIX, C:\\ or \\\\server\\share on Windows) or start with **';

/** Whether the platform's usual file systems compare names case-insensitively (NTFS, APFS/HFS+ default). */
export function isCaseInsensitivePlatform(platform: NodeJS.Platform): boolean {
  return platform === 'win32' || platform === 'darwin';
}

/** Forward-slash form used for matching; on Windows both `\` and `/` separate segments. */
export function toMatchForm(pathOrGlob: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? pathOrGlob.replace(/\\/g, '/') : pathOrGlob;
}

/** Why a glob is unusable on this platform, or undefined when it is fine. */
export function globProblem(glob: string, platform: NodeJS.Platform = process.platform): string | undefined {
  const g = toMatchForm(glob, platform);
  if (g.startsWith('**')) return undefined;
  if (platform === 'win32') return /^[A-Za-z]:\//.test(g) || g.startsWith('//') ? undefined : GLOB_PROBLEM;
  return g.startsWith('/') ? undefined : GLOB_PROBLEM;
}

/** Builds the policy. Globs are assumed valid (checked by config validation through `globProblem`). */
export function createPathPolicy(options: PathPolicyOptions): PathPolicy {
  const platform = options.platform ?? process.platform;
  const caseInsensitive = isCaseInsensitivePlatform(platform);
  const compile = (g: string) => compileGlob(toMatchForm(g, platform), { caseInsensitive });
  const allow = options.allow.map(compile);
  const deny = options.deny.map(compile);
  const isDenied = (p: string) => {
    const m = toMatchForm(p, platform);
    return deny.some((re) => re.test(m));
  };
  return {
    isDenied,
    isAllowed(p) {
      if (isDenied(p)) return false;
      if (allow.length === 0) return true;
      const m = toMatchForm(p, platform);
      return allow.some((re) => re.test(m));
    },
  };
}
