import { Type, type TLiteral, type TUnion } from 'typebox';

/**
 * `Type.Union` of string literals that keeps the literal types. `Type.Union(xs.map(Type.Literal))`
 * widens to `never` when inferred, because `map` loses the tuple.
 */
export function literalUnion<const T extends readonly string[]>(
  values: T,
  options?: Record<string, unknown>,
): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
}
