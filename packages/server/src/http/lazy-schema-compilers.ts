import AjvCompiler from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;
type Validator = ((data: unknown) => unknown) & { errors?: unknown };

/**
 * Fastify's own compilers (the same ajv and fast-json-stringify, with the same options), made to
 * compile each route's schema on the route's first request instead of at start-up.
 *
 * Why: compiling every validator and serializer of every route at start-up left about 10 MiB of
 * generated code in each server's heap (measured: old space 38 -> 28 MiB at idle), whichever
 * routes its clients actually call. A schema that does not compile now fails on first use rather than at
 * start, so `compileAll` (the tests call it) compiles every one not compiled yet.
 */
export function lazySchemaCompilers(): { compilersFactory: CompilersFactory; compileAll(): void } {
  /** The lazy validators and serializers not compiled yet. */
  const pending = new Set<() => void>();
  const eagerValidator = AjvCompiler() as unknown as ValidatorFactory;
  const eagerSerializer = SerializerSelector() as unknown as SerializerFactory;
  return {
    compilersFactory: {
      buildValidator: ((externalSchemas: unknown, options: unknown) => {
        const compile = (eagerValidator as (s: unknown, o: unknown) => (route: unknown) => Validator)(externalSchemas, options);
        return (route: unknown) => lazyValidator(pending, () => compile(route), route);
      }) as unknown as ValidatorFactory,
      buildSerializer: ((externalSchemas: unknown, options: unknown) => {
        const compile = (eagerSerializer as (s: unknown, o: unknown) => (route: unknown) => (data: unknown) => string)(externalSchemas, options);
        return (route: unknown) => lazySerializer(pending, () => compile(route), route);
      }) as unknown as SerializerFactory,
    },
    compileAll() {
      for (const force of [...pending]) force();
    },
  };
}

function lazyValidator(pending: Set<() => void>, compile: () => Validator, route: unknown): Validator {
  const force = compileOnce(pending, compile, route);
  // Fastify reads `errors` off the function it called, as ajv's validators carry them.
  const validate: Validator = (data) => {
    const fn = force();
    const result = fn(data);
    validate.errors = fn.errors;
    return result;
  };
  return validate;
}

function lazySerializer(pending: Set<() => void>, compile: () => (data: unknown) => string, route: unknown): (data: unknown) => string {
  const force = compileOnce(pending, compile, route);
  return (data) => force()(data);
}

/** `compile` run at most once, on the first call of the returned function (or by compileAll). */
function compileOnce<T>(pending: Set<() => void>, compile: () => T, route: unknown): () => T {
  let compiled: { fn: T } | undefined;
  const force = (): T => {
    if (!compiled) {
      compiled = { fn: withRoute(compile, route) };
      pending.delete(force);
    }
    return compiled.fn;
  };
  pending.add(force);
  return force;
}

function withRoute<T>(compile: () => T, route: unknown): T {
  try {
    return compile();
  } catch (err) {
    const r = route as { method?: string; url?: string; httpPart?: string; httpStatus?: string };
    const where = `${r.method ?? '?'} ${r.url ?? '?'} ${r.httpPart ?? (r.httpStatus ? `response ${r.httpStatus}` : '')}`.trim();
    throw new Error(`schema of ${where} does not compile: ${(err as Error).message}`, { cause: err });
  }
}
