/** "4 s", "3 min", "2 h", "5 d": short enough for a table cell. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

export const ago = (iso: string | null) => (iso === null ? 'never' : `${duration((Date.now() - Date.parse(iso)) / 1000)} ago`);

export const when = (iso: string | null) =>
  iso === null ? '—' : new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';

export const count = (n: number) => n.toLocaleString('en-US');

export const humanize = (s: string) => s.replace(/_/g, ' ');

/** Only paths inside the console are followed after login (no open redirect). */
export const safeNext = (next: string | null) => (next && /^\/support(\/|\?|$)/.test(next) && !next.startsWith('//') ? next : '/support');
