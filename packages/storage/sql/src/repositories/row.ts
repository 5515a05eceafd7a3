/** PostgreSQL returns int8 as a string and better-sqlite3 returns numbers; ids and ms fit in 2^53. */
export function num(v: number | string | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}

export function numOrNull(v: number | string | bigint | null): number | null {
  return v === null ? null : num(v);
}

export function bool(v: number | boolean): boolean {
  return v === true || v === 1;
}

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
