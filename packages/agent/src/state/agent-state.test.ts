import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureStateDir, readAgentState, STATE_FILE, StateDirError, writeAgentState } from './agent-state.js';

let root: string;
const STATE = { serverUrl: 'http://127.0.0.1:1', endpointId: 'a'.repeat(32), credential: `qa_${'a'.repeat(32)}.secret` };

describe('agent state', () => {
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'quarry-agent-state-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates the state dir with mode 0700 and agent.json with mode 0600', async (t) => {
    if (process.platform === 'win32') {
      t.skip('POSIX modes do not apply on Windows');
      return;
    }
    const dir = path.join(root, 'nested', 'state');

    await ensureStateDir(dir);
    await writeAgentState(dir, STATE);

    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(dir, STATE_FILE)).mode & 0o777, 0o600);
  });

  it('round-trips the state and leaves no temp files', async () => {
    const dir = path.join(root, 'roundtrip');
    await ensureStateDir(dir);

    assert.equal(await readAgentState(dir), undefined);
    await writeAgentState(dir, STATE);
    await writeAgentState(dir, { ...STATE, serverUrl: 'http://other' });

    assert.deepEqual(await readAgentState(dir), { ...STATE, serverUrl: 'http://other' });
    assert.deepEqual(readdirSync(dir), [STATE_FILE]);
    assert.ok(JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')).credential);
  });

  it('reports a corrupt state file clearly', async () => {
    const dir = path.join(root, 'corrupt');
    await ensureStateDir(dir);
    writeFileSync(path.join(dir, STATE_FILE), '{"serverUrl":1');

    await assert.rejects(readAgentState(dir), (err) => err instanceof StateDirError && /remove it to enrol again/.test(err.message));
  });

  it('fails clearly, without falling back elsewhere, when the dir cannot be created', async () => {
    const blocker = path.join(root, 'file-in-the-way');
    writeFileSync(blocker, 'x');

    await assert.rejects(
      ensureStateDir(path.join(blocker, 'state')),
      (err) => err instanceof StateDirError && err.message.includes(path.join(blocker, 'state')) && /--state-dir/.test(err.message),
    );
  });
});
