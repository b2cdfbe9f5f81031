import type { Collection, StripeObject } from './collection.js';
import { errors } from './errors.js';

export type Query = Record<string, unknown>;

const MAX_LIMIT = 100;

function integer(value: unknown, param: string): number {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
    throw errors.invalid(param, `Invalid integer: ${String(value)}`, 'parameter_invalid_integer');
  }
  return Number(value);
}

/** `created=123` or `created[gt|gte|lt|lte]=…` as a half-open [gte, lt) range of seconds. */
export function rangeFilter(query: Query, param: string): { gte: number; lt: number } {
  const value = query[param];
  if (value === undefined) return { gte: -Infinity, lt: Infinity };
  if (typeof value === 'string') {
    const n = integer(value, param);
    return { gte: n, lt: n + 1 };
  }
  if (typeof value !== 'object' || value === null) throw errors.invalid(param, `Invalid ${param}`);
  let gte = -Infinity;
  let lt = Infinity;
  for (const [op, raw] of Object.entries(value)) {
    const n = integer(raw, `${param}[${op}]`);
    if (op === 'gt') gte = Math.max(gte, n + 1);
    else if (op === 'gte') gte = Math.max(gte, n);
    else if (op === 'lt') lt = Math.min(lt, n);
    else if (op === 'lte') lt = Math.min(lt, n + 1);
    else throw errors.invalid(`${param}[${op}]`, `Received unknown parameter: ${param}[${op}]`, 'parameter_unknown');
  }
  return { gte, lt };
}

export function limitOf(query: Query): number {
  if (query.limit === undefined) return 10;
  const limit = integer(query.limit, 'limit');
  if (limit < 1 || limit > MAX_LIMIT) {
    throw errors.invalid(
      'limit',
      `This value must be less than or equal to ${MAX_LIMIT} (it currently is '${limit}').`,
      'parameter_invalid_integer',
    );
  }
  return limit;
}

/**
 * Stripe's list contract: newest first, `limit` (default 10, max 100), `has_more`, and either
 * `starting_after` (older than the cursor) or `ending_before` (newer than the cursor, still
 * returned newest first). `where` filters on other parameters.
 */
export function listPage(
  collection: Collection,
  query: Query,
  options: { url: string; resource: string; where?: (o: StripeObject) => boolean; now?: number },
) {
  const limit = limitOf(query);
  const { gte, lt } = rangeFilter(query, 'created');
  const startingAfter = query.starting_after as string | undefined;
  const endingBefore = query.ending_before as string | undefined;
  if (startingAfter && endingBefore) {
    throw errors.invalid(
      'ending_before',
      'You may only specify one of these parameters: ending_before, starting_after.',
      'parameters_exclusive',
    );
  }
  const entries = collection.entries();
  const now = options.now ?? Date.now();
  const matches = (i: number) => {
    const e = entries[i]!;
    return e.object.created >= gte && e.object.created < lt && e.visibleAt <= now && (!options.where || options.where(e.object));
  };
  const cursorIndex = (id: string, param: string) => {
    const i = collection.indexOf(id);
    if (i < 0) throw errors.missing(options.resource, id, param);
    return i;
  };

  const data: StripeObject[] = [];
  let hasMore = false;
  if (endingBefore) {
    // Walk towards newer objects, then present them newest first.
    const stop = Math.min(entries.length, collection.lowerBound(lt === Infinity ? Infinity : lt));
    for (let i = cursorIndex(endingBefore, 'ending_before') + 1; i < stop; i++) {
      if (!matches(i)) continue;
      if (data.length === limit) {
        hasMore = true;
        break;
      }
      data.push(entries[i]!.object);
    }
    data.reverse();
  } else {
    const floor = gte === -Infinity ? 0 : collection.lowerBound(gte);
    const start = startingAfter
      ? cursorIndex(startingAfter, 'starting_after') - 1
      : (lt === Infinity ? entries.length : collection.lowerBound(lt)) - 1;
    for (let i = start; i >= floor; i--) {
      if (!matches(i)) continue;
      if (data.length === limit) {
        hasMore = true;
        break;
      }
      data.push(entries[i]!.object);
    }
  }
  return { object: 'list', data, has_more: hasMore, url: options.url };
}
