import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, createHarness, errorCode, type Harness } from './harness.js';

describe('sweeps over HTTP: bad input gets its own 4xx code', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  const sweep = (body: Record<string, unknown>, key = h.keys.admin) => call(h, 'POST', '/api/v1/sweeps', key, { endpoints: [h.endpointId], roots: ['/var/log'], ...body });

  const cases: Array<[string, Record<string, unknown>, number, string]> = [
    ['relative root', { roots: ['var/log'] }, 400, 'ROOT_INVALID'],
    ['dot segment', { roots: ['/var/../etc'] }, 400, 'ROOT_INVALID'],
    ['unclosed class in a root', { roots: ['/var/log/[ab'] }, 400, 'GLOB_INVALID'],
    ['** inside a segment', { roots: ['/srv/a**/x'] }, 400, 'GLOB_INVALID'],
    ['slash in a name', { names: ['logs/*.log'] }, 400, 'GLOB_INVALID'],
    ['empty class in a name', { names: ['[]'] }, 400, 'GLOB_INVALID'],
    ['hash of the wrong length', { hashes: ['abc123'] }, 400, 'HASH_INVALID'],
    ['hash with non-hex digits', { hashes: ['g'.repeat(64)] }, 400, 'HASH_INVALID'],
    ['depth of zero', { budgets: { maxDepth: 0 } }, 400, 'BUDGET_OUT_OF_RANGE'],
    ['too many files', { budgets: { maxFiles: 1e12 } }, 400, 'BUDGET_OUT_OF_RANGE'],
    ['too long', { budgets: { maxSeconds: 86_401 } }, 400, 'BUDGET_OUT_OF_RANGE'],
    ['min above max', { minSize: 10, maxSize: 1 }, 400, 'VALIDATION_FAILED'],
    ['not a date', { modifiedSince: 'last tuesday' }, 400, 'VALIDATION_FAILED'],
    ['unknown budget', { budgets: { maxCoffee: 1 } }, 400, 'VALIDATION_FAILED'],
    ['unknown endpoint', { endpoints: ['nobody-here'] }, 404, 'ENDPOINT_NOT_FOUND'],
    ['no roots', { roots: [] }, 400, 'VALIDATION_FAILED'],
  ];
  for (const [name, body, status, code] of cases) {
    it(`${name} -> ${status} ${code}`, async () => {
      const res = await sweep(body);
      assert.equal(res.statusCode, status, res.body);
      assert.equal(errorCode(res), code);
    });
  }

  it('needs the retrieve permission to create, read to list', async () => {
    assert.equal(errorCode(await sweep({}, h.keys.viewer)), 'FORBIDDEN');
    assert.equal((await call(h, 'GET', '/api/v1/sweeps', h.keys.viewer)).statusCode, 200);
    assert.equal((await call(h, 'GET', '/api/v1/elements', h.keys.viewer)).statusCode, 200);
  });

  it('bad filters, unknown ids and a retrieval mixing elements with paths are refused', async () => {
    assert.equal(errorCode(await call(h, 'GET', '/api/v1/elements?hash=xyz', h.keys.admin)), 'VALIDATION_FAILED');
    assert.equal(errorCode(await call(h, 'GET', '/api/v1/elements/987654', h.keys.admin)), 'ELEMENT_NOT_FOUND');
    assert.equal(errorCode(await call(h, 'GET', '/api/v1/sweeps/987654', h.keys.admin)), 'TASK_NOT_FOUND');
    assert.equal(errorCode(await call(h, 'GET', '/api/v1/sweeps/987654/results', h.keys.admin)), 'TASK_NOT_FOUND');
    const mixed = await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { elements: [1], endpoints: [h.endpointId], paths: ['/x'] });
    assert.equal(errorCode(mixed), 'VALIDATION_FAILED');
    assert.equal(errorCode(await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { elements: [987654] })), 'ELEMENT_NOT_FOUND');
    assert.equal(errorCode(await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, {})), 'TARGETS_EMPTY');
  });

  it('runs a sweep through the agent API: poll, results, final batch, results page', async () => {
    const created = await sweep({ roots: ['/var/log'], names: ['*.log'] });
    assert.equal(created.statusCode, 201, created.body);
    const taskId = (created.json() as { id: number }).id;
    const poll = await call(h, 'GET', '/agent/v1/poll?waitSeconds=0', h.keys.agent);
    const messages = (poll.json() as { messages: Array<{ type: string; command?: { subtaskId: number; attempt: number; taskId: number } }> }).messages;
    const command = messages.find((m) => m.type === 'sweep' && m.command?.taskId === taskId)?.command;
    assert.ok(command, poll.body);
    const url = `/agent/v1/subtasks/${command.subtaskId}/sweep-results`;
    const result = { path: '/var/log/syslog.log', size: 3, mtimeMs: 1_700_000_000_000, owner: 'root', md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64) };
    const zero = { filesListed: 1, filesMatched: 1, bytesHashed: 3, skippedUnreadable: 0, skippedLoops: 0, skippedDenied: 0, rootsMissing: 0, durationMs: 5 };
    assert.equal(errorCode(await call(h, 'POST', url, h.keys.admin, { attempt: command.attempt, seq: 0, results: [] })), 'AGENT_CREDENTIAL_REQUIRED');
    assert.equal(errorCode(await call(h, 'POST', url, h.keys.agent, { attempt: command.attempt, seq: 0, results: [{ ...result, sha256: 'nothex' }] })), 'VALIDATION_FAILED');
    const ok = await call(h, 'POST', url, h.keys.agent, { attempt: command.attempt, seq: 0, results: [result], done: { ...zero, truncated: true, budgetHit: 'maxDepth' } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { seq: 0, duplicate: false });
    const detail = (await call(h, 'GET', `/api/v1/sweeps/${taskId}`, h.keys.viewer)).json() as { status: string; subtasks: { items: Array<{ sweep: { truncated: boolean; budgetHit: string } }> } };
    assert.equal(detail.status, 'succeeded');
    assert.deepEqual({ ...detail.subtasks.items[0]!.sweep }, { ...zero, done: true, truncated: true, budgetHit: 'maxDepth', results: 1 });
    const page = (await call(h, 'GET', `/api/v1/sweeps/${taskId}/results?name=*.LOG`, h.keys.viewer)).json() as { items: Array<{ element: { id: number; path: string; hostname: string } }> };
    assert.equal(page.items[0]!.element.path, '/var/log/syslog.log');
    const elementId = page.items[0]!.element.id;
    const element = await call(h, 'GET', `/api/v1/elements/${elementId}`, h.keys.viewer);
    assert.equal((element.json() as { sha256: string }).sha256, 'c'.repeat(64));
    const retrieval = await call(h, 'POST', '/api/v1/retrievals', h.keys.responder, { elements: [elementId] });
    assert.equal(retrieval.statusCode, 201, retrieval.body);
    assert.deepEqual((retrieval.json() as { paths: string[] }).paths, ['/var/log/syslog.log']);
  });
});
