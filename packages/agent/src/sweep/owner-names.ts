import { readFile } from 'node:fs/promises';

/** Where POSIX user names live; directory services (LDAP, sssd) are not consulted. */
const PASSWD = '/etc/passwd';

/**
 * Maps file owner uids to user names from /etc/passwd, read once per sweep; unknown uids show as
 * the number. Windows stats carry no owner, so there every owner is null.
 */
export async function loadOwnerNames(platform: NodeJS.Platform = process.platform): Promise<(uid: number) => string | null> {
  if (platform === 'win32') return () => null;
  const names = new Map<number, string>();
  try {
    for (const line of (await readFile(PASSWD, 'utf8')).split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
    }
  } catch {
    // No passwd file readable: numbers it is.
  }
  return (uid) => names.get(uid) ?? String(uid);
}
