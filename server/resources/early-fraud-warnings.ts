import type Stripe from 'stripe';
import { EVENT_GROUPS } from '../../shared/event-types.js';
import { idOf, type ResourceModule } from './resource.js';

export const earlyFraudWarnings: ResourceModule<Stripe.Radar.EarlyFraudWarning> = {
  name: 'early_fraud_warnings',
  objectType: 'radar.early_fraud_warning',
  table: 'early_fraud_warnings',
  permission: 'review_read',
  eventTypes: EVENT_GROUPS.Radar,
  links: [{ field: 'charge', resource: 'charges' }],
  list: (stripe, params) => stripe.radar.earlyFraudWarnings.list(params),
  retrieve: (stripe, id) => stripe.radar.earlyFraudWarnings.retrieve(id),
  toRow: (w) => ({
    charge: idOf(w.charge)!,
    // Stripe's example object has no payment_intent; newer renderings do.
    payment_intent: idOf((w as { payment_intent?: string | { id: string } | null }).payment_intent),
    fraud_type: w.fraud_type,
    actionable: w.actionable,
  }),
};
