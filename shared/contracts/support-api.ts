import { z } from 'zod';
import { CONNECTION_STATES } from '../connection-states.js';
import { REPORT_FAMILIES } from '../report-families.js';

const SORT_FIELDS = ['created', 'name', 'account', 'state', 'mode', 'last_event'] as const;
export type SortField = (typeof SORT_FIELDS)[number];

/** Query of `GET /api/support/connections`. */
export const listConnectionsQuery = z
  .object({
    state: z.enum(CONNECTION_STATES).optional(),
    mode: z.enum(['test', 'live']).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    sort: z.enum(SORT_FIELDS).default('created'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

/** Body of `POST /api/support/connections`: the seed's API-key connection. */
export const apiKeyConnectBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    api_key: z.string().trim().min(1),
    merchant_id: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only')
      .optional(),
    webhook_secret: z
      .string()
      .trim()
      .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_…')
      .optional(),
  })
  .strict();

export type ApiKeyConnectBody = z.infer<typeof apiKeyConnectBody>;

export const connectionIdParam = z.string().regex(/^conn_[A-Za-z0-9_-]{10,40}$/, 'not a connection id');

/** Body of `POST /api/support/connections/:id/reports/run`: rerun one family, or all. */
export const reportRunBody = z
  .object({
    type: z.enum(REPORT_FAMILIES.map((f) => f.family) as [string, ...string[]]).optional(),
  })
  .strict();

/** Body of `POST /api/support/session`: the console's login. */
export const supportLoginBody = z
  .object({
    token: z.string().trim().min(1, 'enter a support token').max(512),
  })
  .strict();

/** Body of `POST /api/support/connections/:id/resync`: one resource, or all when absent. */
export const resyncBody = z
  .object({
    resource: z.string().trim().min(1).max(64).optional(),
  })
  .strict();

export const rotateWebhookSecretBody = apiKeyConnectBody.pick({ webhook_secret: true }).required();
export const rotateApiKeyBody = apiKeyConnectBody.pick({ api_key: true });
