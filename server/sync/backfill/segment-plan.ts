/** A half-open range of `created` seconds. */
export interface Range {
  gte: number;
  lt: number;
}

// Each segment ends on a partial page; bigger segments waste fewer requests, and a big segment
// splits again on its own first page, so parallelism still grows where the objects are.
const TARGET_PAGES_PER_SEGMENT = 10;
const MAX_CHILDREN = 16;

/**
 * After a page of a segment came back with more to fetch: the page covers the segment's newest
 * unseen objects down to `boundary` (the oldest `created` on it). Objects left are those of the
 * boundary second not yet seen (the segment keeps them, continuing with its cursor) and those
 * older than it, which are split into children that can be fetched at the same time.
 * Returns no children when the older part is empty.
 */
export function splitOlder(segment: Range, page: { created: number }[]): { keep: Range; children: (Range & { estimate: number })[] } {
  const newest = page[0]!.created;
  const boundary = page[page.length - 1]!.created;
  const older: Range = { gte: segment.gte, lt: boundary };
  if (older.lt <= older.gte) return { keep: segment, children: [] };
  const density = page.length / Math.max(1, newest - boundary + 1);
  const estimate = density * (older.lt - older.gte);
  const count = Math.max(1, Math.min(MAX_CHILDREN, Math.ceil(estimate / (100 * TARGET_PAGES_PER_SEGMENT)), older.lt - older.gte));
  const width = (older.lt - older.gte) / count;
  const children = Array.from({ length: count }, (_, i) => {
    const gte = older.gte + Math.round(i * width);
    const lt = i === count - 1 ? older.lt : older.gte + Math.round((i + 1) * width);
    return { gte, lt, estimate: Math.round(estimate / count) };
  }).filter((c) => c.lt > c.gte);
  return { keep: { gte: boundary, lt: segment.lt }, children };
}
