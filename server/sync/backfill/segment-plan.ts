/** A half-open range of `created` seconds. */
export interface Range {
  gte: number;
  lt: number;
}

/**
 * Pages a new chain is given at the local density. Every chain ends on a partial page, so a split
 * costs up to one request: at 10 pages, at most a tenth more requests, and usually far less since
 * splits only happen while the rate budget has room.
 */
export const PAGES_PER_CHAIN = 10;
/** A chain splits only once it has fetched this many full pages: a resource of a page or two
 *  (most disputes, fraud warnings, refunds of a small account) never pays for a split. */
export const PAGES_BEFORE_SPLIT = 2;

/**
 * Where a chain splits after a full page, so that nothing about the history is assumed: there is
 * no known start (lists are newest first, and no field of the account bounds them). A chain walks
 * its range newest first with a cursor; the oldest chain reaches down to the run's floor (0 unless
 * the merchant set a start), which is no bound at all. When the rate budget has room, a chain hands
 * off what lies more than `pages` pages (at the density it has seen) below its position to a new
 * chain, which starts there on a full page; the old chain now ends at that point. Splits follow
 * the data: a sparse past gets wide chains, a dense present narrow ones, and no request is spent on
 * an empty stretch that nothing was seen in.
 *
 * `position` is the oldest `created` the chain has seen (the boundary of its last page), and
 * `secondsPerPage` what its pages have covered on average. Returns null when nothing is worth a
 * chain of its own: a bounded chain whose rest is about `pages` pages or less.
 */
export function splitBelow(
  chain: Range,
  position: number,
  o: { floor: number; secondsPerPage: number; pages?: number },
): { keep: Range; child: Range } | null {
  const reach = Math.max(1, Math.ceil((o.pages ?? PAGES_PER_CHAIN) * Math.max(1, o.secondsPerPage)));
  const at = position - reach;
  if (at <= chain.gte) return null;
  // A bounded chain whose part below `at` is less than another chain's worth keeps it.
  if (chain.gte > o.floor && at - chain.gte < reach) return null;
  return { keep: { gte: at, lt: chain.lt }, child: { gte: chain.gte, lt: at } };
}
