/**
 * Scrubbing of secrets from anything that may be logged or printed. Two nets: fields and URL or
 * form parameters named like a credential (token, key, secret, signature…) lose their value
 * whatever it is, and strings anywhere are searched for the shapes Stripe gives its secrets.
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

const SECRET_KEY_NAMES = new RegExp(
  '^(' +
    'authorization|cookie|set-cookie|stripe-signature|x-api-key|password|secret|client_secret|api_?key|access_?token|refresh_?token|' +
    'token|webhook_?secret|signing_?secret|encryption_?keys?|support_?tokens?' +
    ')$',
  'i',
);

/** Words that make a parameter's name say "credential", in snake, kebab or camel case. */
const SECRET_WORDS = new Set([
  'token',
  'tokens',
  'key',
  'keys',
  'apikey',
  'secret',
  'secrets',
  'signature',
  'signatures',
  'sig',
  'password',
  'passwd',
  'credential',
  'credentials',
  'authorization',
  'cookie',
  'csrf',
]);

/** True when a name (query parameter, body field, header) is named like a credential. */
function secretName(name: string): boolean {
  if (SECRET_KEY_NAMES.test(name)) return true;
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .some((w) => SECRET_WORDS.has(w));
}

/** `name=value` pairs in URLs and form bodies, whatever secret the value is. */
const PARAMETER = /([?&;]|^)([^=&#?\s]{1,100})=([^&#\s]*)/g;

const REDACTED = '[redacted]';

/** Longest error text stored or shown; longer ones end with an ellipsis. */
const STORED_ERROR_MAX = 500;

/** Knex puts the statement before the database's own words: "insert into … - UNIQUE constraint failed". */
const SQL_STATEMENT = new RegExp(
  String.raw`(^|: )\s*(?:select\s[\s\S]*?\sfrom\s|insert\s+into\s|update\s+[${'`'}"\w.]+\s+set\s|delete\s+from\s|` +
    String.raw`with\s+[${'`'}"\w]+\s+as\s|(?:create|alter|drop)\s+(?:table|index)\s|pragma\s)[\s\S]* - (?=\S)`,
  'i',
);

/**
 * What may be stored or shown of an error message: the database's words without the statement
 * (which holds merchant data), scrubbed of secrets, and bounded.
 */
export function storedError(message: string): string {
  const text = redactString(message.replace(SQL_STATEMENT, '$1database error: '));
  return text.length > STORED_ERROR_MAX ? `${text.slice(0, STORED_ERROR_MAX - 1)}…` : text;
}

export function redactString(value: string): string {
  let out = value;
  if (out.includes('=')) {
    out = out.replace(PARAMETER, (whole, lead: string, name: string) => {
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a name that is not valid percent-encoding is judged as it is
      }
      return secretName(decoded) ? `${lead}${name}=${REDACTED}` : whole;
    });
  }
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
    out[key] = secretName(key) && v != null ? REDACTED : redactValue(v, depth + 1, seen);
  }
  return out;
}
