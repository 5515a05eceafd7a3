import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { STATE_FILE } from './state-file.js';

export { STATE_FILE };

/** What enrolment leaves behind: enough to authenticate on every later run. */
export interface AgentState {
  serverUrl: string;
  endpointId: string;
  /** `qa_<endpointId>.<secret>`; never logged. */
  credential: string;
}

/** The state directory cannot be used; the message says which and what to do. */
export class StateDirError extends Error {
  override readonly name = 'StateDirError';
}

export const STATE_MESSAGES = {
  notWritable: (dir: string, code: string) =>
    `state directory ${dir} cannot be created or written (${code}); run the agent as a user that can write it, or pass --state-dir DIR`,
  corrupt: (file: string) => `state file ${file} is not valid agent state; remove it to enrol again (needs --enroll-token)`,
} as const;

/**
 * Creates the state directory (mode 0700: it holds a credential) if missing and checks that it is
 * writable. There is deliberately no silent fallback to another directory: an agent that enrols
 * into a surprise location would enrol again (as a new endpoint) on every run.
 */
export async function ensureStateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new StateDirError(STATE_MESSAGES.notWritable(dir, (err as NodeJS.ErrnoException).code ?? String(err)), { cause: err });
  }
}

/** The stored state, or undefined before enrolment. */
export async function readAgentState(dir: string): Promise<AgentState | undefined> {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateDirError(STATE_MESSAGES.notWritable(dir, (err as NodeJS.ErrnoException).code ?? String(err)), { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StateDirError(STATE_MESSAGES.corrupt(file));
  }
  const s = value as Partial<AgentState> | null;
  if (!s || typeof s.serverUrl !== 'string' || typeof s.endpointId !== 'string' || typeof s.credential !== 'string') {
    throw new StateDirError(STATE_MESSAGES.corrupt(file));
  }
  return { serverUrl: s.serverUrl, endpointId: s.endpointId, credential: s.credential };
}

/**
 * Writes agent.json atomically: a temp file created with mode 0600 (never world-readable, not
 * even briefly), flushed, then renamed over the target, so a crash leaves the old or the new
 * state and never a torn file that would force re-enrolment.
 */
export async function writeAgentState(dir: string, state: AgentState): Promise<void> {
  const file = path.join(dir, STATE_FILE);
  const temp = path.join(dir, `.${STATE_FILE}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => {});
    throw new StateDirError(STATE_MESSAGES.notWritable(dir, (err as NodeJS.ErrnoException).code ?? String(err)), { cause: err });
  }
  await syncDir(dir);
}

/** Makes the rename durable; directories cannot be opened for fsync on Windows, so skip there. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}
