import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { lazySchemaCompilers } from '../../src/http/lazy-schema-compilers.js';

function appWith(schemas = lazySchemaCompilers()) {
  const app = Fastify({
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    schemaController: { compilersFactory: schemas.compilersFactory },
  });
  return { app, schemas };
}

describe('lazySchemaCompilers', () => {
  it('validates, coerces, fills defaults and serializes exactly as fastify does, compiling on first use', async () => {
    const { app, schemas } = appWith();
    app.post(
      '/things/:id',
      {
        schema: {
          params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
          querystring: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } }, limit: { type: 'integer', default: 10 } } },
          body: { type: 'object', properties: { name: { type: 'string', minLength: 1 } }, required: ['name'], additionalProperties: false },
          response: { 200: { type: 'object', properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } }, limit: { type: 'integer' } } } },
        },
      },
      async (request) => {
        const q = request.query as { tags: string[]; limit: number };
        return { id: (request.params as { id: number }).id, tags: q.tags, limit: q.limit, secret: 'not in the schema' };
      },
    );
    await app.ready();
    try {
      const ok = await app.inject({ method: 'POST', url: '/things/7?tags=a', payload: { name: 'x' } });
      assert.equal(ok.statusCode, 200);
      // The serializer drops what the response schema does not name; the validator coerced and defaulted.
      assert.deepEqual(ok.json(), { id: 7, tags: ['a'], limit: 10 });

      const bad = await app.inject({ method: 'POST', url: '/things/7', payload: { name: '', extra: 1 } });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /body/);

      const badParam = await app.inject({ method: 'POST', url: '/things/seven', payload: { name: 'x' } });
      assert.equal(badParam.statusCode, 400);
      assert.match(badParam.json().message, /params\/id must be integer/);
      schemas.compileAll();
    } finally {
      await app.close();
    }
  });

  it('reports a schema that does not compile when it is first needed, naming the route', async () => {
    const { app, schemas } = appWith();
    app.get('/broken', { schema: { querystring: { type: 'object', properties: { n: { type: 'no-such-type' } } } } }, async () => ({}));
    app.get('/fine', async () => ({ ok: true }));
    await app.ready();
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/fine' })).statusCode, 200);
      assert.throws(() => schemas.compileAll(), /schema of GET \/broken querystring does not compile/);
      assert.equal((await app.inject({ method: 'GET', url: '/broken?n=1' })).statusCode, 500);
    } finally {
      await app.close();
    }
  });
});
