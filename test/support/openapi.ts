import { readFileSync } from 'node:fs';
import type { ApiExchange } from '../../server/emulator/index.js';

/**
 * Checks requests and responses against Stripe's OpenAPI definitions (the trimmed 2023-08-16 copy
 * in server/emulator). Requests: the operation exists, and every query or form parameter, nested
 * keys included, is one Stripe defines, with a value of its type and enum. Responses: required
 * fields are there, and every field the file defines has its type, nullability and enum (fields
 * it lacks were added by later versions). Where the pinned SDK (`2026-10-28.endive`) differs from
 * the 2023 file on what we check, NEWER lists the difference.
 */

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  nullable?: boolean;
  required?: string[];
  additionalProperties?: boolean | Schema;
  'x-stripeBypassValidation'?: boolean;
};
type Operation = {
  parameters?: { name: string; in: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const spec = JSON.parse(
  readFileSync(new URL('../../server/emulator/stripe-openapi-2023-08-16-trimmed.json', import.meta.url), 'utf8'),
) as Spec;

/**
 * Defined by the pinned stripe 23.1.0 types, not yet by the 2023-08-16 file: `Operation param` or
 * `schema.field` (facts page: the pinned SDK's types win where the two differ).
 */
export const NEWER = new Set([
  'GET /v1/radar/early_fraud_warnings created', // EarlyFraudWarningListParams.created
  'radar.early_fraud_warning.payment_intent', // Radar.EarlyFraudWarning.payment_intent
  'account_bacs_debit_payments_settings.display_name', // Account.Settings.BacsDebitPayments.display_name: string | null
]);

/** Calls Stripe's OpenAPI file does not describe, on other hosts: the Stripe Apps token endpoint
 *  (connect host) and file contents (files host); stripe-facts.md describes both. */
export const OUTSIDE_OPENAPI = ['POST /v1/oauth/token', 'GET /v1/files/{file}/contents'];

/** A recorded request and its answer (the emulator's `onExchange`). */
export type Exchange = ApiExchange;

/** The OpenAPI path template a concrete path matches (`/v1/charges/ch_1` → `/v1/charges/{charge}`). */
export function templateOf(path: string): string | undefined {
  const parts = path.split('/');
  for (const template of [...Object.keys(spec.paths), '/v1/oauth/token', '/v1/files/{file}/contents']) {
    const t = template.split('/');
    if (t.length !== parts.length) continue;
    if (t.every((seg, i) => (seg.startsWith('{') ? parts[i] !== '' : seg === parts[i]))) return template;
  }
  return undefined;
}

/** The request shape, for coverage lists: `GET /v1/charges created,limit`. */
export function shapeOf(x: Pick<Exchange, 'method' | 'path' | 'query' | 'body'>): string {
  const keys = Object.keys(x.method === 'GET' ? x.query : x.body).sort();
  return `${x.method} ${templateOf(x.path) ?? x.path} ${keys.join(',')}`.trim();
}

function resolve(schema: Schema): Schema {
  let s = schema;
  while (s.$ref) s = spec.components.schemas[s.$ref.replace('#/components/schemas/', '')]!;
  return s;
}

/** A form-encoded value (strings all the way down) against its parameter schema. */
function checkParam(value: unknown, schema: Schema, where: string, problems: string[]): void {
  const s = resolve(schema);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const results = branches.map((b) => {
      const p: string[] = [];
      checkParam(value, b, where, p);
      return p;
    });
    if (!results.some((p) => !p.length)) problems.push(...results.sort((a, b) => a.length - b.length)[0]!);
    return;
  }
  if (s.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return void problems.push(`${where}: expected an object`);
    for (const [key, v] of Object.entries(value)) {
      const property = s.properties?.[key];
      if (property) checkParam(v, property, `${where}[${key}]`, problems);
      else if (!s.additionalProperties) problems.push(`${where}[${key}]: Stripe defines no such parameter`);
    }
    return;
  }
  if (s.type === 'array') {
    const items = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : null;
    if (!items) return void problems.push(`${where}: expected a list`);
    items.forEach((v, i) => checkParam(v, s.items ?? {}, `${where}[${i}]`, problems));
    return;
  }
  if (typeof value !== 'string') return void problems.push(`${where}: expected a single value`);
  if (s.type === 'integer' && !/^-?\d+$/.test(value)) problems.push(`${where}: '${value}' is not an integer`);
  if (s.type === 'boolean' && value !== 'true' && value !== 'false') problems.push(`${where}: '${value}' is not a boolean`);
  if (s.enum && !s['x-stripeBypassValidation'] && !s.enum.includes(value))
    problems.push(`${where}: '${value}' is not one of Stripe's values`);
}

export function checkRequest(x: Exchange): string[] {
  const template = templateOf(x.path);
  const name = `${x.method} ${template ?? x.path}`;
  if (template && OUTSIDE_OPENAPI.includes(`${x.method} ${template}`)) return [];
  const operation = template ? spec.paths[template]?.[x.method.toLowerCase()] : undefined;
  if (!operation) return [`${name}: Stripe's OpenAPI definitions have no such operation`];
  const problems: string[] = [];
  if (x.method === 'GET') {
    for (const [key, value] of Object.entries(x.query)) {
      const param = operation.parameters?.find((p) => p.in === 'query' && p.name === key);
      if (param) checkParam(value, param.schema, key, problems);
      else if (!NEWER.has(`${name} ${key}`)) problems.push(`${key}: Stripe defines no such parameter`);
    }
  } else {
    const schema = operation.requestBody?.content['application/x-www-form-urlencoded']?.schema;
    if (schema) checkParam(x.body, schema, 'body', problems);
    else if (Object.keys(x.body).length) problems.push('body: Stripe defines no request body');
  }
  return problems.map((p) => `${name} ${p}`);
}

/** A JSON value against a response schema. */
function checkJson(value: unknown, schema: Schema, where: string, problems: string[], owner = ''): void {
  const s = resolve(schema);
  const type = schema.$ref ? schema.$ref.replace('#/components/schemas/', '') : owner;
  if (value === null) {
    if (!s.nullable && !NEWER.has(owner)) problems.push(`${where}: null, but not nullable`);
    return;
  }
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const results = branches.map((b) => {
      const p: string[] = [];
      checkJson(value, b, where, p, type);
      return p;
    });
    if (!results.some((p) => !p.length)) problems.push(...results.sort((a, b) => a.length - b.length)[0]!);
    return;
  }
  switch (s.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return void problems.push(`${where}: expected an object`);
      const object = value as Record<string, unknown>;
      const kind = typeof object.object === 'string' ? object.object : type;
      for (const key of s.required ?? []) if (!(key in object)) problems.push(`${where}.${key}: required, missing`);
      for (const [key, v] of Object.entries(object)) {
        const property = s.properties?.[key];
        if (property) checkJson(v, property, `${where}.${key}`, problems, `${kind}.${key}`);
        // A field the 2023 file lacks is one a newer version added (Stripe's own example objects
        // carry dozens): the pinned SDK's types are the authority there, not this file.
      }
      return;
    }
    case 'array':
      if (!Array.isArray(value)) return void problems.push(`${where}: expected a list`);
      value.forEach((v, i) => checkJson(v, s.items ?? {}, `${where}[${i}]`, problems, type));
      return;
    case 'integer':
      if (!Number.isInteger(value)) problems.push(`${where}: expected an integer`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${where}: expected a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${where}: expected a boolean`);
      return;
    case 'string':
      if (typeof value !== 'string') problems.push(`${where}: expected a string`);
      else if (s.enum && !s['x-stripeBypassValidation'] && !s.enum.includes(value))
        problems.push(`${where}: '${value}' is not one of Stripe's values`);
      return;
    default:
  }
}

export function checkResponse(x: Exchange): string[] {
  const template = templateOf(x.path);
  if (!template || OUTSIDE_OPENAPI.includes(`${x.method} ${template}`)) return [];
  const operation = spec.paths[template]?.[x.method.toLowerCase()];
  if (!operation || typeof x.response !== 'object' || x.response === null || Buffer.isBuffer(x.response)) return [];
  const response = operation.responses[String(x.status)] ?? operation.responses.default;
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) return [];
  const problems: string[] = [];
  checkJson(x.response, schema, 'response', problems);
  return problems.map((p) => `${x.method} ${template} ${x.status} ${p}`);
}
