import { z } from 'zod';
import { CONNECTION_STATES } from '../connection-states.js';
import { REPORT_FAMILIES } from '../report-families.js';

/** Query of `GET /api/support/connections`. */
export const listConnectionsQuery = z.object({
  state: z.enum(CONNECTION_STATES).optional(),
  mode: z.enum(['test', 'live']).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

/** Body of `POST /api/support/connections`: the seed's API-key connection. */
export const apiKeyConnectBody = z.object({
  name: z.string().trim().min(1).max(200),
  api_key: z.string().trim().min(1),
  merchant_id: z.string().trim().min(1).max(128).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore only').optional(),
  webhook_secret: z.string().trim().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must look like whsec_…').optional(),
}).strict();

export type ApiKeyConnectBody = z.infer<typeof apiKeyConnectBody>;

export const connectionIdParam = z.string().regex(/^conn_[A-Za-z0-9_-]{10,40}$/, 'not a connection id');

/** Body of `POST /api/support/connections/:id/reports/run`: rerun one family, or all. */
export const reportRunBody = z.object({
  type: z.enum(REPORT_FAMILIES.map((f) => f.family) as [string, ...string[]]).optional(),
}).strict();
