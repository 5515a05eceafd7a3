import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, createHarness, errorCode, type Harness, type Keys } from './harness.js';

type Who = keyof Keys | 'none' | 'garbage';
const keyOf = (h: Harness, who: Who): string | null => (who === 'none' ? null : who === 'garbage' ? 'qk_0000000000000000.nope' : h.keys[who]);

describe('authentication and roles', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  // [route, method, body, expected status (or error code) per caller]
  const matrix: Array<{ name: string; method: 'GET' | 'POST'; url: () => string; body?: unknown; expect: Record<Who, number | string> }> = [
    {
      name: 'GET /api/v1/endpoints (read)',
      method: 'GET',
      url: () => '/api/v1/endpoints',
      expect: { admin: 200, responder: 200, responderNoDownload: 200, viewer: 200, agent: 'API_CREDENTIAL_REQUIRED', none: 'UNAUTHENTICATED', garbage: 'UNAUTHENTICATED' },
    },
    {
      name: 'POST /api/v1/retrievals (retrieve)',
      method: 'POST',
      url: () => '/api/v1/retrievals',
      body: 'retrieval',
      expect: { admin: 201, responder: 201, responderNoDownload: 201, viewer: 'FORBIDDEN', agent: 'API_CREDENTIAL_REQUIRED', none: 'UNAUTHENTICATED', garbage: 'UNAUTHENTICATED' },
    },
    {
      // A permitted caller gets past authorisation and meets the missing file.
      name: 'POST /api/v1/files/:id/links (download)',
      method: 'POST',
      url: () => '/api/v1/files/999999/links',
      body: {},
      expect: { admin: 'FILE_NOT_FOUND', responder: 'FILE_NOT_FOUND', responderNoDownload: 'FORBIDDEN', viewer: 'FORBIDDEN', agent: 'API_CREDENTIAL_REQUIRED', none: 'UNAUTHENTICATED', garbage: 'UNAUTHENTICATED' },
    },
    {
      name: 'GET /api/v1/audit (manage)',
      method: 'GET',
      url: () => '/api/v1/audit',
      expect: { admin: 200, responder: 'FORBIDDEN', responderNoDownload: 'FORBIDDEN', viewer: 'FORBIDDEN', agent: 'API_CREDENTIAL_REQUIRED', none: 'UNAUTHENTICATED', garbage: 'UNAUTHENTICATED' },
    },
    {
      name: 'POST /api/v1/credentials (manage)',
      method: 'POST',
      url: () => '/api/v1/credentials',
      body: { name: 'x', role: 'viewer' },
      expect: { admin: 201, responder: 'FORBIDDEN', responderNoDownload: 'FORBIDDEN', viewer: 'FORBIDDEN', agent: 'API_CREDENTIAL_REQUIRED', none: 'UNAUTHENTICATED', garbage: 'UNAUTHENTICATED' },
    },
    {
      name: 'GET /agent/v1/poll (agent)',
      method: 'GET',
      url: () => '/agent/v1/poll?waitSeconds=0',
      expect: { admin: 'AGENT_CREDENTIAL_REQUIRED', responder: 'AGENT_CREDENTIAL_REQUIRED', responderNoDownload: 'AGENT_CREDENTIAL_REQUIRED', viewer: 'AGENT_CREDENTIAL_REQUIRED', agent: 200, none: 'UNAUTHENTICATED', garbage: 'AGENT_CREDENTIAL_REQUIRED' },
    },
  ];

  for (const row of matrix) {
    describe(row.name, () => {
      for (const who of Object.keys(row.expect) as Who[]) {
        const expected = row.expect[who];
        it(`${who} -> ${expected}`, async () => {
          const body = row.body === 'retrieval' ? { endpoints: [h.endpointId], paths: ['/etc/hosts'] } : row.body;

          const res = await call(h, row.method, row.url(), keyOf(h, who), body);

          if (typeof expected === 'number') assert.equal(res.statusCode, expected, res.body);
          else assert.equal(errorCode(res), expected, res.body);
        });
      }
    });
  }

  it('maps the status of each refusal from the catalogue', async () => {
    assert.equal((await call(h, 'GET', '/api/v1/endpoints', null)).statusCode, 401);
    assert.equal((await call(h, 'GET', '/api/v1/audit', h.keys.viewer)).statusCode, 403);
    assert.equal((await call(h, 'GET', '/api/v1/endpoints', h.keys.agent)).statusCode, 403);
  });

  it('refuses a malformed Authorization header and a revoked credential', async () => {
    const basic = await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic Zm9vOmJhcg==' } });
    assert.equal(errorCode(basic), 'UNAUTHENTICATED');

    const created = await call(h, 'POST', '/api/v1/credentials', h.keys.admin, { name: 'temp', role: 'viewer' });
    const cred = created.json() as { id: string; key: string };
    assert.equal((await call(h, 'GET', '/api/v1/me', cred.key)).statusCode, 200);
    assert.equal((await call(h, 'DELETE', `/api/v1/credentials/${cred.id}`, h.keys.admin)).statusCode, 200);
    assert.equal(errorCode(await call(h, 'GET', '/api/v1/me', cred.key)), 'UNAUTHENTICATED');
  });

  it('GET /api/v1/me describes the caller', async () => {
    const res = await call(h, 'GET', '/api/v1/me', h.keys.responderNoDownload);

    assert.equal(res.statusCode, 200);
    assert.deepEqual((res.json() as { permissions: string[] }).permissions, ['read', 'retrieve']);
    assert.equal((res.json() as { role: string }).role, 'responder');
  });

  it('serves the public routes without a credential', async () => {
    assert.equal((await call(h, 'GET', '/healthz', null)).statusCode, 200);
    assert.equal((await call(h, 'GET', '/api/docs/json', null)).statusCode, 200);
    const enroll = await call(h, 'POST', '/agent/v1/enroll', null, {
      enrollToken: 'qe_0000000000000000.nope',
      hostname: 'h',
      os: 'linux',
      osVersion: '1',
      arch: 'x64',
      agentVersion: '0',
      ipAddresses: [],
    });
    assert.equal(errorCode(enroll), 'ENROLL_TOKEN_INVALID');
  });

  it('enrols an agent with a token and accepts its credential', async () => {
    const token = await call(h, 'POST', '/api/v1/enroll-tokens', h.keys.admin, { description: 'one', maxUses: 1 });
    assert.equal(token.statusCode, 201, token.body);

    const res = await call(h, 'POST', '/agent/v1/enroll', null, {
      enrollToken: (token.json() as { token: string }).token,
      hostname: 'second-host',
      os: 'windows',
      osVersion: '11',
      arch: 'x64',
      agentVersion: '0.1.0',
      ipAddresses: ['10.0.0.9'],
    });

    assert.equal(res.statusCode, 201, res.body);
    const { credential } = res.json() as { credential: string };
    assert.equal((await call(h, 'GET', '/agent/v1/poll?waitSeconds=0', credential)).statusCode, 200);
    const list = await call(h, 'GET', '/api/v1/endpoints?hostname=second-host', h.keys.viewer);
    assert.equal((list.json() as { items: unknown[] }).items.length, 1);
  });
});
