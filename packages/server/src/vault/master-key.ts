import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MASTER_KEY_BYTES } from './key-derivation.js';

export const MASTER_KEY_FILE = 'master.key';
const MSG_BAD_ENV = `QUARRY_MASTER_KEY must be the base64 encoding of exactly ${MASTER_KEY_BYTES} bytes`;
const msgBadFile = (path: string) =>
  `${path} must hold the base64 encoding of exactly ${MASTER_KEY_BYTES} bytes; restore the original key (data encrypted under it is unreadable without it)`;

/**
 * The server's master key: `envValue` (base64 of 32 bytes) if given, else `<dataDir>/master.key`,
 * else a new random key written there with mode 0600. Losing this key loses every stored file.
 *
 * @example const masterKey = await loadOrCreateMasterKey({ dataDir: './data', envValue: process.env.QUARRY_MASTER_KEY });
 */
export async function loadOrCreateMasterKey(options: { dataDir: string; envValue?: string }): Promise<Buffer> {
  if (options.envValue !== undefined && options.envValue.trim() !== '') {
    const key = decodeKey(options.envValue);
    if (!key) throw new Error(MSG_BAD_ENV);
    return key;
  }
  const path = join(options.dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing) return existing;

  await mkdir(options.dataDir, { recursive: true });
  // Written to a temp name and hard-linked into place: a crash never leaves a half-written key,
  // and two processes starting at once agree on one key (link fails if the name exists).
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await chmod(temp, 0o600);
    await link(temp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  const created = await readKeyFile(path);
  if (!created) throw new Error(msgBadFile(path));
  return created;
}

async function readKeyFile(path: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const key = decodeKey(text);
  if (!key) throw new Error(msgBadFile(path));
  return key;
}

function decodeKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  return key.length === MASTER_KEY_BYTES ? key : null;
}
