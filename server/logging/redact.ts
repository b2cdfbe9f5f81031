/**
 * Scrubbing of secrets from anything that may be logged or printed. Two nets: keys whose name
 * says "secret" lose their value whatever it is, and strings anywhere are searched for the
 * shapes Stripe gives its secrets.
 */
const SECRET_PATTERNS: RegExp[] = [
  // Whole, by prefix or masked to a tail: Stripe's own errors echo "rt_L7X6I…" and
  // "sk_test_************IXGP", and a fragment of a credential is still part of it.
  /\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9*]+(?:…|\.\.\.)?/g,
  /\bwhsec_[A-Za-z0-9+/=*]+(?:…|\.\.\.)?/g,
  /\babsec_[A-Za-z0-9*]+(?:…|\.\.\.)?/g,
  /\b(?:rt|ac)_[A-Za-z0-9*]+(?:…|\.\.\.)?/g,
  /\bpis_[A-Za-z0-9_*-]+(?:…|\.\.\.)?/g,
  /\bBearer\s+[A-Za-z0-9._~+/=*-]+/gi,
  /\bBasic\s+[A-Za-z0-9+/=]{8,}/gi,
  /\bv1\.[0-9a-f]{12}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
];

const SECRET_KEY_NAMES =
  /^(authorization|cookie|set-cookie|stripe-signature|x-api-key|password|secret|client_secret|api_?key|access_?token|refresh_?token|token|webhook_?secret|signing_?secret|encryption_?keys?|support_?tokens?)$/i;

export const REDACTED = '[redacted]';

/** What may be stored or shown of an error message: scrubbed, and bounded. */
export function storedError(message: string): string {
  return redactString(message).slice(0, 2000);
}

export function redactString(value: string): string {
  let out = value;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** Deep copy with secrets removed; cycles and depth are bounded so logging never throws. */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[truncated]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactString(value.message),
      stack: value.stack ? redactString(value.stack) : undefined,
      ...(redactValue({ ...value }, depth + 1, seen) as object),
    };
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY_NAMES.test(key) && v != null ? REDACTED : redactValue(v, depth + 1, seen);
  }
  return out;
}
