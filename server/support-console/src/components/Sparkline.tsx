import { duration } from '../format.js';

type Point = { hour: string; events: number; max_lag_seconds: number | null };

/** The last 24 h of event lag as a small SVG line, with a text summary for screen readers. */
export function Sparkline({ points }: { points: Point[] }) {
  const values = points.map((p) => p.max_lag_seconds);
  const top = Math.max(1, ...values.map((v) => v ?? 0));
  const width = 240;
  const height = 40;
  const step = width / Math.max(1, points.length - 1);
  const path = values
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${(height - ((v ?? 0) / top) * (height - 4) - 2).toFixed(1)}`)
    .join(' ');
  const busy = points.filter((p) => p.events > 0);
  const summary =
    busy.length === 0
      ? 'No events in the last 24 hours'
      : `Worst lag in the last 24 hours: ${duration(top)}; latest hour with events: ${duration(busy.at(-1)!.max_lag_seconds)}`;
  return (
    <figure className="sparkline">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary}>
        <path d={path} fill="none" stroke="currentColor" strokeWidth="2" />
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
