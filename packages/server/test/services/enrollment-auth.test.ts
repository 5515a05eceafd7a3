import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@quarry/core';
import { describeEachDialect } from '@quarry/testing';
import { ADMIN, createHarness, type Harness } from './service-harness.js';

const REQUEST = { hostname: 'web-01', os: 'linux' as const, osVersion: '6.1', arch: 'x64', agentVersion: '0.1.0', ipAddresses: ['10.0.0.5'] };

/** Runs `fn` on a harness of its own (an empty database), closed afterwards. */
async function withFreshHarness(dialect: Parameters<typeof createHarness>[0], fn: (fresh: Harness) => Promise<void>): Promise<void> {
  const fresh = await createHarness(dialect);
  try {
    await fn(fresh);
  } finally {
    await fresh.close();
  }
}

describeEachDialect('enrolment and authentication', (dialect) => {
  let h: Harness;
  before(async () => {
    h = await createHarness(dialect);
  });
  after(async () => {
    await h.close();
  });

  it('enrols with a one-time token exactly once', async () => {
    const token = await h.services.enrollment.createToken(ADMIN, { maxUses: 1, description: 'one' });
    assert.match(token.token!, /^qe_[0-9a-f]{16}\./);

    const enrolled = await h.services.enrollment.enroll({ ...REQUEST, enrollToken: token.token! }, '10.0.0.5');

    assert.match(enrolled.endpointId, /^[0-9a-f]{32}$/);
    assert.ok(enrolled.credential.startsWith(`qa_${enrolled.endpointId}.`));
    assert.deepEqual(await h.services.auth.authenticateAgent(enrolled.credential), { type: 'agent', endpointId: enrolled.endpointId });
    await assert.rejects(h.services.enrollment.enroll({ ...REQUEST, hostname: 'refused', enrollToken: token.token! }, null), (e) => isAppError(e, 'ENROLL_TOKEN_INVALID'));
    // The refused use rolled back the endpoint row written before it.
    assert.deepEqual((await h.services.endpoints.list({})).items.map((e) => e.hostname), ['web-01']);
    const endpoint = await h.services.endpoints.get(enrolled.endpointId);
    assert.equal(endpoint.hostname, 'web-01');
    assert.match(endpoint.shortId, /^[0-9a-f]{24}$/);
    assert.equal(endpoint.online, false);
  });

  it('lets a multi-use token enrol until it expires', async () => {
    const token = await h.services.enrollment.createToken(ADMIN, { expiresInSeconds: 600 });
    await h.services.enrollment.enroll({ ...REQUEST, hostname: 'multi-1', enrollToken: token.token! }, null);
    await h.services.enrollment.enroll({ ...REQUEST, hostname: 'multi-2', enrollToken: token.token! }, null);

    h.clock.advance(601);

    await assert.rejects(h.services.enrollment.enroll({ ...REQUEST, enrollToken: token.token! }, null), (e) => isAppError(e, 'ENROLL_TOKEN_INVALID'));
    const listed = await h.services.enrollment.listTokens({});
    assert.equal(listed.items.find((t) => t.id === token.id)?.uses, 2);
  });

  it('refuses revoked, unknown and tampered tokens', async () => {
    const token = await h.services.enrollment.createToken(ADMIN, {});
    await h.services.enrollment.revokeToken(ADMIN, token.id);
    for (const bad of [token.token!, 'qe_0123456789abcdef.' + 'x'.repeat(43), token.token!.slice(0, -2) + 'zz', 'nonsense']) {
      await assert.rejects(h.services.enrollment.enroll({ ...REQUEST, enrollToken: bad }, null), (e) => isAppError(e, 'ENROLL_TOKEN_INVALID'), bad);
    }
  });

  it('rejects agent keys with a wrong secret', async () => {
    const token = await h.services.enrollment.createToken(ADMIN, {});
    const { credential } = await h.services.enrollment.enroll({ ...REQUEST, enrollToken: token.token! }, null);
    assert.equal(await h.services.auth.authenticateAgent(credential.slice(0, -3) + 'abc'), null);
    assert.equal(await h.services.auth.authenticateAgent('qa_bad'), null);
  });

  it('registers a preset admin key once when several nodes start at the same moment', async () => {
    await withFreshHarness(dialect, async (fresh) => {
      const key = `qk_${'ab'.repeat(8)}.${'s'.repeat(43)}`;
      // Each call is its own transaction; on PostgreSQL they run on separate connections at once.
      const results = await Promise.all(Array.from({ length: 4 }, () => fresh.services.auth.ensureAdmin(key)));

      assert.deepEqual(results.filter((r) => r.created).map((r) => r.key), [key]);
      assert.equal(await fresh.store.credentials.countActiveAdmins(), 1);
      assert.equal((await fresh.services.auth.authenticateApiKey(key))?.role, 'admin');
    });
  });

  it('bootstraps one admin between nodes sharing a master key that start at the same moment', async () => {
    await withFreshHarness(dialect, async (fresh) => {
      // Nodes of a cluster share the master key, as these calls share the harness's.
      const results = await Promise.all(Array.from({ length: 4 }, () => fresh.services.auth.ensureAdmin()));

      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(await fresh.store.credentials.countActiveAdmins(), 1);
      const key = results.find((r) => r.created)!.key!;
      assert.equal((await fresh.services.auth.authenticateApiKey(key))?.role, 'admin');
    });
  });

  it('makes a new first admin when the first one was revoked and no admin is left', async () => {
    await withFreshHarness(dialect, async (fresh) => {
      const first = await fresh.services.auth.ensureAdmin();
      const firstId = (await fresh.services.auth.authenticateApiKey(first.key!))!.id;
      await fresh.store.credentials.revoke(firstId, fresh.clock.now().getTime());

      const second = await fresh.services.auth.ensureAdmin();

      assert.equal(second.created, true);
      const secondId = (await fresh.services.auth.authenticateApiKey(second.key!))!.id;
      assert.notEqual(secondId, firstId);
      assert.equal(await fresh.services.auth.authenticateApiKey(first.key!), null);
      assert.equal(await fresh.store.credentials.countActiveAdmins(), 1);
    });
  });

  it('bootstraps one admin and authenticates API keys, touching lastUsedAt at most once a minute', async () => {
    const first = await h.services.auth.ensureAdmin();
    assert.equal(first.created, true);
    assert.deepEqual(await h.services.auth.ensureAdmin(), { created: false });

    const principal = await h.services.auth.authenticateApiKey(first.key!);
    assert.equal(principal?.role, 'admin');
    const id = principal!.id;
    const t1 = (await h.store.credentials.get(id))!.lastUsedAt;
    h.clock.advance(30);
    await h.services.auth.authenticateApiKey(first.key!);
    assert.equal((await h.store.credentials.get(id))!.lastUsedAt, t1);
    h.clock.advance(31);
    await h.services.auth.authenticateApiKey(first.key!);
    assert.equal((await h.store.credentials.get(id))!.lastUsedAt, t1! + 61_000);
  });

  it('creates and revokes credentials', async () => {
    const viewer = await h.services.credentials.create(ADMIN, { name: 'ro', role: 'viewer', canDownload: true });
    assert.equal(viewer.canDownload, false);
    assert.ok(await h.services.auth.authenticateApiKey(viewer.key!));

    const revoked = await h.services.credentials.revoke(ADMIN, viewer.id);

    assert.ok(revoked.revokedAt);
    assert.equal(await h.services.auth.authenticateApiKey(viewer.key!), null);
    await assert.rejects(h.services.credentials.revoke(ADMIN, 'ffffffffffffffff'), (e) => isAppError(e, 'CREDENTIAL_NOT_FOUND'));
    const audit = await h.services.audit.list({ action: 'credential.revoke' });
    assert.equal(audit.items[0]?.targetId, viewer.id);
    assert.equal(audit.items[0]?.actorId, ADMIN.type === 'credential' ? ADMIN.id : '');
  });

  it('tracks online state from connection and heartbeat', async () => {
    const token = await h.services.enrollment.createToken(ADMIN, {});
    const { endpointId } = await h.services.enrollment.enroll({ ...REQUEST, hostname: 'live-1', enrollToken: token.token! }, null);

    await h.services.endpoints.markConnected(endpointId, { type: 'hello', ...REQUEST, hostname: 'live-1b', agentVersion: '0.2.0' }, null);

    let e = await h.services.endpoints.get(endpointId);
    assert.equal(e.online, true);
    assert.equal(e.hostname, 'live-1b');
    assert.equal(e.agentVersion, '0.2.0');
    assert.ok((await h.services.endpoints.list({ online: true })).items.some((x) => x.id === endpointId));
    h.clock.advance(91);
    e = await h.services.endpoints.get(endpointId);
    assert.equal(e.online, false);
    assert.ok((await h.services.endpoints.list({ online: false })).items.some((x) => x.id === endpointId));
    await h.services.endpoints.markSeen(endpointId);
    assert.equal((await h.services.endpoints.get(endpointId)).online, true);
    await h.services.endpoints.markDisconnected(endpointId);
    assert.equal((await h.services.endpoints.get(endpointId)).online, false);
  });
});
