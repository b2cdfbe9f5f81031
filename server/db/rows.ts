/**
 * Reading values back the same way on both engines: SQLite returns booleans as 0/1 and JSON
 * columns as text, PostgreSQL returns booleans and parsed JSON. Repositories use these helpers.
 */
export function readBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function readJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export function readNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${String(value)}`);
  return n;
}

export function readOptionalNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : readNumber(value);
}

/** Our own epoch-millisecond times as the ISO strings every API answers with. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
