/** An accessible progress bar; indeterminate while the total is unknown. */
export function ProgressBar({ label, value, max, done }: { label: string; value: number; max: number | null; done: boolean }) {
  const ratio = done ? 1 : max && max > 0 ? Math.min(1, value / max) : null;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={ratio === null ? undefined : Math.round(ratio * 100)}
      aria-valuetext={done ? 'done' : ratio === null ? `${value} so far` : `${Math.round(ratio * 100)}%`}
    >
      <span className={ratio === null ? 'bar indeterminate' : 'bar'} style={{ width: `${Math.round((ratio ?? 0.3) * 100)}%` }} />
    </div>
  );
}
