import type Stripe from 'stripe';
import type { ResourceModule } from './resource.js';

export const earlyFraudWarnings: ResourceModule<Stripe.Radar.EarlyFraudWarning> = {
  name: 'early_fraud_warnings',
  objectType: 'radar.early_fraud_warning',
  table: 'early_fraud_warnings',
  permission: 'review_read',
  list: (stripe, params) => stripe.radar.earlyFraudWarnings.list(params),
  retrieve: (stripe, id) => stripe.radar.earlyFraudWarnings.retrieve(id),
};
