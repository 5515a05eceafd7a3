import { it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isAppError, resolveEndpoints, type EndpointRecord } from '@quarry/core';
import { describeEachDialect } from '@quarry/testing';
import { createHarness, type Harness } from './service-harness.js';

describeEachDialect('resolving many endpoint refs at once', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  /** Inserts an endpoint record directly: enrolment would hash a secret per endpoint. */
  const add = async (hostname: string, id = randomBytes(16).toString('hex')): Promise<EndpointRecord> => {
    const record: EndpointRecord = {
      id,
      shortId: id.slice(0, 24),
      hostname,
      os: 'linux',
      osVersion: '6.1',
      arch: 'x64',
      agentVersion: '0.1.0',
      ipAddresses: [],
      agentSecretHash: 'unused',
      enrolledAt: 0,
      lastSeenAt: null,
      connected: false,
    };
    await h.store.endpoints.insert(record);
    return record;
  };

  it('matches ids, short ids and hostnames by the single-ref rules, one record per ref in order', async () => {
    const a = await add('alpha');
    const b = await add('beta');
    // A hostname that looks like an id: found by name when no id matches.
    const looksLikeId = 'ab'.repeat(16);
    const c = await add(looksLikeId);
    const got = await resolveEndpoints(h.store, [b.shortId.toUpperCase(), 'alpha', a.id, looksLikeId, b.id]);
    assert.deepEqual(
      got.map((e) => e.id),
      [b.id, a.id, a.id, c.id, b.id],
    );
  });

  it('fails on the first ref, in order, that matches nothing or several hosts', async () => {
    await add('dup');
    await add('dup');
    await add('solo');
    await assert.rejects(resolveEndpoints(h.store, ['solo', 'nope', 'dup']), (e) => isAppError(e, 'ENDPOINT_NOT_FOUND') && e.details?.endpoint === 'nope');
    await assert.rejects(resolveEndpoints(h.store, ['solo', 'dup', 'nope']), (e) => isAppError(e, 'ENDPOINT_AMBIGUOUS') && e.details?.endpoint === 'dup');
    await assert.rejects(resolveEndpoints(h.store, ['f'.repeat(32)]), (e) => isAppError(e, 'ENDPOINT_NOT_FOUND'));
  });

  it('resolves thousands of refs (more than one IN list) of each kind', async () => {
    const records: EndpointRecord[] = [];
    for (let i = 0; i < 2500; i += 1) records.push(await add(`host-${i}`));
    const refs = records.map((r, i) => (i % 3 === 0 ? r.id : i % 3 === 1 ? r.shortId : r.hostname));
    const got = await resolveEndpoints(h.store, refs);
    assert.deepEqual(
      got.map((e) => e.id),
      records.map((r) => r.id),
    );
  });
});
